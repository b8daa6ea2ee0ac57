// Fills 保証契約番号 and 認証キー from a key notice's QR code, handed over by
// check/check.js through this tab's sessionStorage (never through a URL).
// The entry is deleted on first read; a stale one (older than 10 minutes) is ignored.
(function () {
  "use strict";
  var STORAGE_KEY = "esurety.verify.prefill";
  var MAX_AGE_MS = 10 * 60 * 1000;

  function start() {
    var raw = null;
    try {
      raw = window.sessionStorage.getItem(STORAGE_KEY);
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      return;
    }
    if (!raw) { return; }
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    if (!data || typeof data.number !== "string" || typeof data.key !== "string") { return; }
    if (typeof data.at !== "number" || Date.now() - data.at > MAX_AGE_MS) { return; }
    var number = document.getElementById("id_number");
    var key = document.getElementById("id_key");
    if (!number || !key || number.value || key.value) { return; }
    number.value = data.number;
    key.value = data.key;
    var note = document.getElementById("prefill-note");
    if (note) { note.hidden = false; }
    var submit = document.querySelector(".verify-form [type=submit]");
    if (submit) { submit.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
