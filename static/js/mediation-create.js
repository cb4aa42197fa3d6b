// mediation/create.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var form = document.getElementById("case-create-form");
  if (!form) { return; }
  // The oral record and the court's fields are shown when they apply (all are shown without JS).
  var oral = document.getElementById("oral-record"), court = document.getElementById("court-fields");
  // The choice values come from the form's data attributes (the server's vocabulary).
  var oralForm = form.dataset.oralForm, courtChannels = [form.dataset.courtChannel, form.dataset.inspectionChannel, form.dataset.hotlineChannel];
  function toggle() {
    var checked = form.querySelector('input[name="application_form"]:checked');
    var channel = form.querySelector('select[name="channel"]');
    oral.classList.toggle("d-none", !(checked && checked.value === oralForm) && !oral.querySelector(".is-invalid"));
    court.classList.toggle("d-none", !(channel && courtChannels.indexOf(channel.value) !== -1) && !court.querySelector(".is-invalid"));
  }
  form.addEventListener("change", toggle);
  toggle();
  // "Add another applicant": a copy of the empty row with the next index.
  var add = document.getElementById("add-applicant"), rows = document.getElementById("applicant-rows");
  var total = form.querySelector('input[name="applicants-TOTAL_FORMS"]');
  var max = form.querySelector('input[name="applicants-MAX_NUM_FORMS"]');
  var template = document.getElementById("applicant-template");
  if (!add || !total || !template) { return; }
  add.classList.remove("d-none");
  add.addEventListener("click", function () {
    var n = parseInt(total.value, 10) || 0;
    if (max && n >= parseInt(max.value, 10)) { return; }
    var html = template.innerHTML.replace(/__prefix__/g, String(n)).replace(/__number__/g, String(n + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(n + 1);
    var first = rows.lastElementChild.querySelector("input");
    if (first) { first.focus(); }
  });
})();
