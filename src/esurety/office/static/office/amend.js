// 変更申請: show only the fields of the chosen kind of change. Without script both groups stay visible.
(function () {
  "use strict";
  var form = document.querySelector("form.lc-form[data-amend]");
  if (!form) { return; }
  var amount = document.getElementById("amount-fields");
  var period = document.getElementById("period-fields");
  function update() {
    var chosen = form.querySelector('input[name="amendment_type"]:checked');
    var value = chosen ? chosen.value : "";
    amount.hidden = value === "PERIOD";
    period.hidden = value === "AMOUNT";
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "amendment_type") { update(); }
  });
  update();
})();
