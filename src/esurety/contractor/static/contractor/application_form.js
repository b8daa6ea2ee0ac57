/*
 * 保証申込フォームの補助 (no framework).
 *
 * Only a convenience: the server checks every rule again on 「申込む」.
 * - Disables 「電子交付を希望する」 when the orderer has not adopted electronic
 *   delivery for the contract date, work category and kind (or for 契約保証予約),
 *   and says why beside the radio.
 * - Shows 預託金融機関 only for advances and the advance-guarantee select only
 *   for 中間前払金保証 / 契約保証 (offering the chosen orderer's guarantees).
 * - Shows the amount limit of the chosen kind under 保証金額.
 * The rules come from the page (json_script), from the same tables the server uses.
 */
(function () {
  "use strict";

  var form = document.getElementById("application-form");
  var adoptionsEl = document.getElementById("adoptions");
  var metaEl = document.getElementById("application-form-meta");
  if (!form || !adoptionsEl || !metaEl) {
    return;
  }
  var adoptions = JSON.parse(adoptionsEl.textContent);
  var meta = JSON.parse(metaEl.textContent);

  var ordererSelect = form.elements.namedItem("orderer");
  var contractDate = form.elements.namedItem("contract_date");
  var workName = form.elements.namedItem("work_name");
  var price = form.elements.namedItem("contract_price");
  var lowBid = form.elements.namedItem("low_bid");
  var advanceSelect = form.elements.namedItem("advance_guarantee");
  var electronic = form.querySelector('input[name="delivery_method"][value="' + meta.electronic + '"]');
  var paper = form.querySelector('input[name="delivery_method"][value="' + meta.paper + '"]');
  var note = document.getElementById("delivery-note");
  var amountHint = document.getElementById("amount-hint");
  var advanceHint = document.getElementById("advance-hint");
  var deliveryRow = document.getElementById("id_delivery_method_row");

  // A server error on the delivery field already says why; stay quiet until the user changes something.
  var serverSaidWhy = !!(deliveryRow && deliveryRow.querySelector(".errorlist"));
  // Remember that *we* switched to 書面, so that we can switch back when electronic becomes possible.
  var switchedToPaper = false;

  function checked(name) {
    var input = form.querySelector('input[name="' + name + '"]:checked');
    return input ? input.value : "";
  }

  function isoDate(value) {
    // <input type="date"> gives YYYY-MM-DD; also accept 2026/4/1 typed where the date picker is missing.
    var m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec((value || "").trim());
    if (!m) {
      return "";
    }
    return m[1] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[3]).slice(-2);
  }

  function wareki(iso) {
    // 2026-03-31 -> 令和8年3月31日 (the first year of an era is 元年).
    for (var i = 0; i < meta.eras.length; i++) {
      var name = meta.eras[i][0];
      var start = meta.eras[i][1];
      if (iso >= start) {
        var year = Number(iso.slice(0, 4)) - Number(start.slice(0, 4)) + 1;
        return name + (year === 1 ? "元" : String(year)) + "年" + Number(iso.slice(5, 7)) + "月" + Number(iso.slice(8, 10)) + "日";
      }
    }
    return iso;
  }

  function accepts(ordererId, category, kind, iso) {
    var rows = adoptions[ordererId] || [];
    return rows.some(function (r) {
      // ISO dates compare correctly as strings.
      return r.category === category && r.kind === kind && r.from <= iso && (r.until === null || r.until >= iso);
    });
  }

  function ordererName() {
    var option = ordererSelect && ordererSelect.selectedOptions[0];
    return option && option.value ? option.textContent.trim() : "";
  }

  // The reason electronic delivery is impossible, "" when it is possible, null when not yet known.
  function refusal() {
    var kind = checked("kind");
    if (kind === meta.reservation) {
      return "契約保証予約は電子交付の対象外です。";
    }
    var ordererId = ordererSelect ? ordererSelect.value : "";
    var category = checked("work_category");
    var iso = isoDate(contractDate && contractDate.value);
    if (!kind || !ordererId || !category || !iso) {
      return null;
    }
    if (accepts(ordererId, category, kind, iso)) {
      return "";
    }
    return (
      ordererName() + "は" + wareki(iso) + "締結の" + meta.categoryNames[category] + "の" +
      meta.kindNames[kind] + "を電子交付の対象としていません。"
    );
  }

  function updateDelivery() {
    if (!electronic || !paper || !note) {
      return;
    }
    var why = refusal();
    if (why) {
      if (electronic.checked) {
        paper.checked = true;
        switchedToPaper = true;
      }
      electronic.disabled = true;
      note.classList.remove("app-delivery__note--ok");
      note.textContent = serverSaidWhy ? "" : why + "「書面」でのお受け取りとなります。";
    } else {
      electronic.disabled = false;
      if (switchedToPaper && paper.checked) {
        electronic.checked = true;
      }
      switchedToPaper = false;
      if (why === "" && !serverSaidWhy) {
        note.classList.add("app-delivery__note--ok");
        note.textContent = ordererName() + "は、この契約の" + meta.kindNames[checked("kind")] + "を電子交付で受け付けています。";
      } else {
        note.classList.remove("app-delivery__note--ok");
        note.textContent = "";
      }
    }
  }

  function toggleRows() {
    var kind = checked("kind");
    form.querySelectorAll("[data-show-kinds]").forEach(function (row) {
      var kinds = row.getAttribute("data-show-kinds").split(" ");
      // Until a kind is chosen, show everything.
      row.hidden = !!kind && kinds.indexOf(kind) === -1;
    });
  }

  function filterAdvances() {
    if (!advanceSelect) {
      return;
    }
    var ordererId = ordererSelect ? ordererSelect.value : "";
    var shown = 0;
    Array.prototype.forEach.call(advanceSelect.options, function (option) {
      if (!option.value) {
        return;
      }
      var other = !!ordererId && option.getAttribute("data-orderer") !== ordererId;
      option.hidden = other;
      option.disabled = other;
      if (other && option.selected) {
        advanceSelect.value = "";
      }
      if (!other) {
        shown += 1;
      }
    });
    if (advanceHint) {
      advanceHint.textContent =
        ordererId && shown === 0 ? "選択した発注者の有効な前払金保証はありません。先に前払金保証をお申込みください。" : "";
    }
  }

  function yen(text) {
    // Same tolerance as the server: full-width digits, commas, 円.
    var normal = (text || "").replace(/[０-９]/g, function (d) {
      return String.fromCharCode(d.charCodeAt(0) - 0xfee0);
    }).replace(/[\s,，、円¥￥]/g, "");
    return /^\d+$/.test(normal) ? Number(normal) : null;
  }

  function fmt(n) {
    return n.toLocaleString("ja-JP");
  }

  function limitOf(total, ratio) {
    // Cut to whole ¥100,000 (10万円未満切捨), as rules.ratio_limit does.
    return Math.floor(Math.floor((total * ratio[0]) / ratio[1]) / meta.unit) * meta.unit;
  }

  function updateAmountHint() {
    if (!amountHint) {
      return;
    }
    var total = yen(price && price.value);
    var kind = checked("kind");
    var low = !!(lowBid && lowBid.checked);
    var r = meta.ratios;
    var text = "";
    if (total && total > 0 && kind) {
      if (kind === "ADVANCE") {
        var ratio = low ? r.advanceLowBid : checked("work_category") === "CONSULTING" ? r.advanceConsulting : r.advanceWorks;
        text = "前払金の保証金額は " + fmt(limitOf(total, ratio)) + "円以下（請負金額(総額)の10分の" + (ratio[0] * 10) / ratio[1] + "、10万円未満切捨て）です。";
      } else if (kind === "INTERIM_ADVANCE") {
        text = "中間前払金の保証金額は " + fmt(limitOf(total, r.interim)) + "円以下（請負金額(総額)の10分の2、10万円未満切捨て）です。";
      } else {
        var min = low ? r.performanceMinLowBid : r.performanceMin;
        text = "契約保証の保証金額は " + fmt(Math.ceil((total * min[0]) / min[1])) + "円以上（請負金額(総額)の10分の" + (min[0] * 10) / min[1] + "）です。";
      }
    }
    amountHint.textContent = text;
  }

  function prefillWorkName() {
    // An interim or performance guarantee must name the same works as its advance.
    var option = advanceSelect && advanceSelect.selectedOptions[0];
    if (option && option.value && workName && !workName.value.trim()) {
      workName.value = option.getAttribute("data-work-name") || "";
    }
  }

  function update(event) {
    if (event && event.target && event.target.name && event.target.name !== "notes") {
      serverSaidWhy = false;
    }
    toggleRows();
    filterAdvances();
    updateDelivery();
    updateAmountHint();
    if (event && event.target === advanceSelect) {
      prefillWorkName();
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", function (event) {
    if (event.target === price || event.target === contractDate) {
      update(event);
    }
  });
  update(null);

  // After a refused submission, take keyboard and screen-reader users straight to the list of errors.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
