// Filters of several values as dropdowns of checkboxes (templates/includes/filter_checks.html):
// the button shows the labels of the ticked boxes as they change. Loaded once per filter on the
// page (the guard runs it once); without JavaScript the boxes are still sent with the form.
(function () {
  "use strict";
  if (window.filterChecksReady) {
    return;
  }
  window.filterChecksReady = true;

  function refresh(box) {
    var toggle = box.querySelector("[data-testid='filter-checks-toggle']");
    var summary = toggle && toggle.querySelector(".filter-checks-summary");
    if (!summary) {
      return;
    }
    var labels = [];
    box.querySelectorAll("input[type='checkbox']").forEach(function (input) {
      if (input.checked) {
        var label = box.querySelector("label[for='" + input.id + "']");
        labels.push(label ? label.textContent.trim() : input.value);
      }
    });
    summary.textContent = labels.length ? labels.join(toggle.dataset.separator || ", ") : toggle.dataset.any;
  }

  function start() {
    document.querySelectorAll(".filter-checks").forEach(function (box) {
      box.addEventListener("change", function () {
        refresh(box);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
