// certification/wizard_group.html: kept out of the page for the Content-Security-Policy (no inline script).
(function () {
  var box = document.getElementById("group-share");
  var form = document.querySelector('[data-testid="group-form"]');
  if (!box || !form) { return; }
  var conf = JSON.parse(document.getElementById("group-share-data").textContent);
  var reps = conf.roles;
  var num = parseInt(box.dataset.numerator, 10), den = parseInt(box.dataset.denominator, 10);
  var text = document.getElementById("group-share-text"), verdict = document.getElementById("group-share-verdict");
  function update() {
    var total = 0, r = 0;
    form.querySelectorAll(".member-row").forEach(function (row) {
      var name = row.querySelector('input[name$="-name"]'), role = row.querySelector('select[name$="-role"]');
      var del = row.querySelector('input[name$="-DELETE"]');
      if ((del && del.checked) || !(name.value.trim() || role.value)) { return; }
      total += 1;
      if (reps.indexOf(role.value) !== -1) { r += 1; }
    });
    var met = total > 0 && r * den >= total * num;
    text.textContent = conf.template.replace("%(reps)s", r).replace("%(total)s", total) + (total ? " (" + Math.round(100 * r / total) + "%)" : "");
    verdict.textContent = met ? conf.met : conf.not_met;
    box.classList.toggle("alert-success", met);
    box.classList.toggle("alert-warning", !met);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
