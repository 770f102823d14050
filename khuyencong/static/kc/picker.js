// The commune picker (registry/widgets/commune_picker.html): HTMX fetches the suggestions; this
// file fills the hidden code when one is chosen. No inline script: the CSP allows 'self' only.
(function () {
  function pickerOf(el) { return el.closest("[data-commune-picker]"); }
  function close(picker) {
    picker.querySelector("[data-picker-list]").innerHTML = "";
    picker.querySelector("[data-picker-input]").setAttribute("aria-expanded", "false");
  }
  function choose(option) {
    var picker = pickerOf(option);
    picker.querySelector("[data-picker-value]").value = option.getAttribute("data-code");
    var input = picker.querySelector("[data-picker-input]");
    input.value = option.getAttribute("data-label");
    picker.querySelector("[data-picker-note]").textContent = option.getAttribute("data-note") || "";
    close(picker);
    input.focus();
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-commune-picker] [data-code]");
    if (option) { choose(option); return; }
    document.querySelectorAll("[data-commune-picker]").forEach(function (picker) {
      if (!picker.contains(event.target)) { close(picker); }
    });
  });
  document.addEventListener("input", function (event) {
    if (!event.target.matches("[data-picker-input]")) { return; }
    var picker = pickerOf(event.target);
    // Typing replaces the choice: a typed code is kept as it is, a name must be picked again.
    var text = event.target.value.trim();
    picker.querySelector("[data-picker-value]").value = /^\d{1,6}$/.test(text) ? text : "";
    picker.querySelector("[data-picker-note]").textContent = "";
  });
  document.addEventListener("keydown", function (event) {
    var picker = event.target.closest && event.target.closest("[data-commune-picker]");
    if (!picker) { return; }
    var options = Array.prototype.slice.call(picker.querySelectorAll("[data-code]"));
    var index = options.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(index + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      if (index <= 0) { picker.querySelector("[data-picker-input]").focus(); } else { options[index - 1].focus(); }
    } else if (event.key === "Escape") {
      close(picker);
      picker.querySelector("[data-picker-input]").focus();
    } else if (event.key === "Enter" && event.target.matches("[data-picker-input]")) {
      event.preventDefault();  // Enter in the search box must not submit the form half-filled
      if (options.length === 1) { choose(options[0]); }
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var picker = pickerOf(event.target);
    if (picker) {
      var open = picker.querySelector("[data-code]") !== null;
      picker.querySelector("[data-picker-input]").setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
})();
