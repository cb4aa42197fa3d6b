// Written review form: mark a figure "changed" as soon as the HR's value differs from the value
// the platform proposed (data-prefill on the input); the server records the same on save.
(function () {
  "use strict";
  function same(a, b) {
    if (a === b) return true;
    var x = parseFloat(a), y = parseFloat(b);
    return !isNaN(x) && !isNaN(y) && x === y;
  }
  document.querySelectorAll("[data-review-field][data-prefill]").forEach(function (input) {
    var badge = document.querySelector('[data-changed-for="' + input.getAttribute("data-review-field") + '"]');
    if (!badge) return;
    var update = function () {
      badge.classList.toggle("d-none", same(String(input.value).trim(), input.getAttribute("data-prefill")));
    };
    input.addEventListener("input", update);
    input.addEventListener("change", update);
  });
})();
