// The rollup page's bar chart (ECharts, vendored). Data comes from a JSON script element, so no
// inline script is needed (the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("rollup-chart");
  var source = document.getElementById("rollup-chart-data");
  if (!holder || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  // A phone shows the ten largest groups; a wider screen all of them (the page sends at most 40).
  var limit = holder.clientWidth < 576 ? 10 : data.labels.length;
  data.labels = data.labels.slice(0, limit);
  data.series.forEach(function (s) { s.data = s.data.slice(0, limit); });
  var billions = function (value) { return (value / 1e9).toLocaleString("vi-VN", { maximumFractionDigits: 2 }); };
  var chart = window.echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
      valueFormatter: function (value) { return billions(value) + " " + data.unit; } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.labels,
      axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 40 : 0, width: 120, overflow: "truncate" } },
    yAxis: { type: "value", name: data.unit, axisLabel: { formatter: billions } },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", barMaxWidth: 40, data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
