/* The dashboard's charts (ECharts, vendored): the province map, projects by state, disbursement by
   month. Data comes from the page's JSON (#dashboard-data); every region and bar opens the list
   behind it. No inline script or style: the CSP allows only files from this site. Tooltips are
   drawn in the canvas (renderMode richText), so they need no inline style either. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var charts = [];

  function go(url) { if (url) { window.location.assign(url); } }

  function number(value) { return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }

  function statesChart() {
    var box = document.getElementById("states-chart");
    if (!box || !data.states.length) { if (box) { box.hidden = true; } return; }
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", renderMode: "richText" },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: data.states.map(function (s) { return s.label; }),
               axisLabel: { width: 150, overflow: "truncate" } },
      series: [{ type: "bar", name: labels.projects, cursor: "pointer",
                 data: data.states.map(function (s) { return { value: s.count, url: s.url }; }),
                 label: { show: true, position: "right" } }]
    });
    chart.on("click", function (event) { go(event.data && event.data.url); });
    charts.push(chart);
  }

  function monthlyChart() {
    var box = document.getElementById("monthly-chart");
    if (!box) { return; }
    var chart = echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", renderMode: "richText", valueFormatter: function (v) { return number(v) + " đ"; } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.monthly.map(function (m) { return m.label; }) },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return v >= 1e9 ? (v / 1e9).toLocaleString("vi-VN") + " tỷ" : (v / 1e6).toLocaleString("vi-VN") + " tr"; } } },
      series: [{ type: "bar", name: labels.amount, data: data.monthly.map(function (m) { return m.amount; }) }]
    });
    charts.push(chart);
  }

  function mapChart(geojson) {
    var box = document.getElementById("province-map");
    if (!box) { return; }
    var regions = { type: "FeatureCollection", features: [] };
    var islands = [];
    geojson.features.forEach(function (f) {
      if (f.properties.kind === "archipelago") {
        islands.push({ name: f.properties.name, code: f.properties.code, value: f.geometry.coordinates });
      } else {
        regions.features.push(f);
      }
    });
    echarts.registerMap("vn", regions);
    var byCode = {};
    data.provinces.forEach(function (p) { byCode[p.code] = p; });
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var metric = "projects";

    function values() {
      return data.provinces.map(function (p) {
        var v = p[metric];
        return { name: p.code, label: p.name, value: p.in_scope && v !== null ? v : "-", url: p.url, inScope: p.in_scope,
                 itemStyle: p.in_scope ? undefined : { areaColor: "#eef0f3" } };
      });
    }
    function maximum() {
      var top = 0;
      data.provinces.forEach(function (p) { var v = p[metric]; if (p.in_scope && v !== null && v > top) { top = v; } });
      return metric === "disbursed_rate" ? Math.max(100, top) : Math.max(1, top);
    }
    function option() {
      return {
        animation: false,
        tooltip: { trigger: "item", renderMode: "richText", formatter: function (params) {
          if (params.seriesType === "scatter") { return params.name; }
          var p = byCode[params.name];
          if (!p) { return params.name; }
          if (!p.in_scope) { return p.name + "\n" + labels.out_of_scope; }
          var text = p.name + "\n" + labels.projects + ": " + p.projects;
          if (data.money) { text += "\n" + labels.disbursed + ": " + p.disbursed_percent; }
          return text;
        } },
        visualMap: { type: "continuous", min: 0, max: maximum(), calculable: false, left: 8, bottom: 8,
                     itemHeight: 100, text: [metric === "projects" ? labels.projects : "%", ""],
                     inRange: { color: ["#dbe9f8", "#206bc4", "#0b3a75"] }, seriesIndex: 0 },
        geo: { map: "vn", nameProperty: "code", roam: false, layoutCenter: ["50%", "50%"], layoutSize: "100%",
               boundingCoords: [[101.8, 23.6], [117.6, 8.0]], itemStyle: { areaColor: "#f4f6fa", borderColor: "#8a94a6", borderWidth: 0.6 },
               emphasis: { label: { show: false }, itemStyle: { areaColor: "#f59f00" } }, select: { disabled: true } },
        series: [
          { type: "map", geoIndex: 0, name: labels.projects, data: values(), cursor: "pointer" },
          { type: "scatter", coordinateSystem: "geo", data: islands, symbol: "circle", symbolSize: 7, silent: false,
            itemStyle: { color: "#a61b1b" }, z: 5,
            label: { show: true, position: "bottom", formatter: "{b}", fontSize: 11, lineHeight: 14, color: "#1d273b",
                     width: 120, overflow: "break", align: "center" } }
        ]
      };
    }
    chart.setOption(option());
    chart.on("click", function (event) {
      if (event.seriesType === "map" && event.data && event.data.inScope) { go(event.data.url); }
    });
    document.querySelectorAll("[data-metric]").forEach(function (button) {
      button.addEventListener("click", function () {
        metric = button.getAttribute("data-metric");
        document.querySelectorAll("[data-metric]").forEach(function (b) {
          var on = b === button; b.classList.toggle("active", on); b.setAttribute("aria-pressed", on ? "true" : "false");
        });
        chart.setOption(option(), { replaceMerge: ["series"] });
      });
    });
    box.setAttribute("data-ready", "1");
    window.kcDashboardMap = chart;
    charts.push(chart);
  }

  statesChart();
  monthlyChart();
  fetch(data.map_url, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(mapChart);
  // Redraw at the new size once the window settles; a chart caught mid-update skips this round.
  var pending = null;
  window.addEventListener("resize", function () {
    if (pending) { window.clearTimeout(pending); }
    pending = window.setTimeout(function () {
      pending = null;
      charts.forEach(function (c) { try { c.resize(); } catch (ignored) { /* redrawn on the next resize */ } });
    }, 150);
  });
})();
