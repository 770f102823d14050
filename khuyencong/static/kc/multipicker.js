// The multiple picker (registry/widgets/multi_picker.html): chips for the chosen options and a
// search box that filters the others without accents. The hidden <select multiple> keeps the
// value the form submits; without JavaScript it is shown as it is. No inline script or style:
// the CSP allows 'self' only, so visibility goes through Tabler's d-none class.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  function setUp(root) {
    var select = root.querySelector("select");
    var input = root.querySelector("[data-multi-input]");
    var list = root.querySelector("[data-multi-list]");
    var chips = root.querySelector("[data-multi-chips]");
    var removeLabel = root.getAttribute("data-remove-label") || "Remove";
    var noneLabel = root.getAttribute("data-none-label") || "";
    var active = -1;
    var shown = [];

    select.classList.add("d-none");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");
    input.classList.remove("d-none");
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) { label.setAttribute("for", input.id); }

    function renderChips() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.selected) { return; }
        var chip = document.createElement("span");
        chip.className = "kc-chip";
        chip.setAttribute("data-value", option.value);
        chip.appendChild(document.createTextNode(option.textContent));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "kc-chip-remove";
        remove.setAttribute("aria-label", removeLabel + ": " + option.textContent);
        remove.setAttribute("data-value", option.value);
        remove.textContent = "×";
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function open() { return !list.classList.contains("d-none"); }
    function close() {
      list.classList.add("d-none");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      active = items.length ? Math.max(0, Math.min(index, items.length - 1)) : -1;
      Array.prototype.forEach.call(items, function (item, i) {
        item.classList.toggle("active", i === active);
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", items[active].id);
        items[active].scrollIntoView({block: "nearest"});
      }
    }
    function renderList() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      shown = Array.prototype.filter.call(select.options, function (option) {
        var text = option.getAttribute("data-search") || fold(option.textContent);
        return !option.selected && words.every(function (word) { return text.indexOf(word) !== -1; });
      });
      list.textContent = "";
      shown.forEach(function (option, i) {
        var item = document.createElement("li");
        item.id = input.id + "_" + i;
        item.className = "list-group-item list-group-item-action";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-value", option.value);
        item.textContent = option.textContent;
        list.appendChild(item);
      });
      if (!shown.length && words.length) {
        var none = document.createElement("li");
        none.className = "list-group-item text-secondary small";
        none.textContent = noneLabel;
        list.appendChild(none);
      }
      list.classList.remove("d-none");
      input.setAttribute("aria-expanded", "true");
      highlight(words.length ? 0 : -1);
    }
    function choose(value, on) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value === value) { option.selected = on; }
      });
      select.dispatchEvent(new Event("change", {bubbles: true}));
      renderChips();
    }

    input.addEventListener("focus", renderList);
    input.addEventListener("input", renderList);
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open()) { renderList(); }
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        event.preventDefault();  // never submit the form from the search box
        if (open() && active >= 0 && shown[active]) {
          choose(shown[active].value, true);
          input.value = "";
          renderList();
        }
      } else if (event.key === "Escape") {
        if (open()) { event.preventDefault(); close(); }
      } else if (event.key === "Backspace" && !input.value) {
        var chosen = chips.querySelectorAll(".kc-chip");
        if (chosen.length) { choose(chosen[chosen.length - 1].getAttribute("data-value"), false); }
      }
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (!item) { return; }
      choose(item.getAttribute("data-value"), true);
      input.value = "";
      renderList();
      input.focus();
    });
    chips.addEventListener("click", function (event) {
      var remove = event.target.closest(".kc-chip-remove");
      if (!remove) { return; }
      choose(remove.getAttribute("data-value"), false);
      input.focus();
    });
    renderChips();
  }

  function setUpAll() { document.querySelectorAll("[data-multi-picker]").forEach(setUp); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUpAll); } else { setUpAll(); }
})();
