// unions/contract_form.html: kept out of the page for the Content-Security-Policy (no inline script).
// Choosing the workers' congress meeting that adopted the contract copies its attendance into the
// contract's figures (Provisions on Collective Contracts art. 36: they must be the meeting's). The
// server checks them all the same; without JS the figures left empty are taken from the meeting.
(function () {
  var form = document.querySelector('[data-testid="contract-form"]');
  if (!form) { return; }
  var meeting = form.querySelector('select[name="congress"]');
  var total = form.querySelector('input[name="representatives_total"]');
  var present = form.querySelector('input[name="representatives_present"]');
  if (!meeting || !total || !present) { return; }
  meeting.addEventListener("change", function () {
    var option = meeting.options[meeting.selectedIndex];
    if (!option || !option.dataset.total) { return; }
    total.value = option.dataset.total;
    present.value = option.dataset.present;
  });
})();
