// certification/wizard_disclosure.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var form = document.querySelector('[data-testid="disclosure-form"]');
  if (!form) { return; }
  function update() {
    var checked = form.querySelector('input[name="disclosure_method"]:checked');
    var method = checked ? checked.value : "";
    form.querySelectorAll("[data-disclosure-group]").forEach(function (group) {
      group.hidden = method !== "" && group.dataset.disclosureGroup !== method;
    });
  }
  form.addEventListener("change", update);
  update();
})();
