// The report request form (apps/reports): show the month for a monthly report, the quarter for a
// quarterly one, neither for a yearly one. Without script both stay visible (the server ignores
// the one that does not apply).
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) return;
  var month = document.getElementById("id_month");
  var quarter = document.getElementById("id_quarter");
  function wrapper(el) {
    return el ? el.closest(".mb-3") : null;
  }
  function sync() {
    var m = wrapper(month);
    var q = wrapper(quarter);
    if (m) m.hidden = kind.value !== "monthly";
    if (q) q.hidden = kind.value !== "quarterly";
  }
  kind.addEventListener("change", sync);
  sync();
})();
