// The QR codes on esurety's documents point here with the details in the URL
// fragment (#n=<number>&k=<key> on a key notice, #n=<number>&v=<version> on a copy):
// browsers never send the fragment to the server. This script shows them, then
// removes the fragment from the address bar so the key does not linger in history.
//
// The number and key reach the orderer's verification form (/verify/, behind
// login) through this tab's sessionStorage, read and deleted by verify/prefill.js:
// they survive the login redirect, and never travel in a URL.
(function () {
  "use strict";
  var STORAGE_KEY = "esurety.verify.prefill";
  var NUMBER = /^[0-9]{10}$/;
  var KEY = /^[0-9A-Za-z]{10}$/;
  var VERSION = /^[1-9][0-9]{0,3}$/;

  function fill(box, name, value) {
    box.querySelectorAll('[data-qr="' + name + '"]').forEach(function (el) { el.textContent = value; });
  }

  function start() {
    var fragment = window.location.hash.replace(/^#/, "");
    if (!fragment) { return; }
    var params = new URLSearchParams(fragment);
    var number = (params.get("n") || "").trim();
    var key = (params.get("k") || "").trim().toUpperCase();
    var version = (params.get("v") || "").trim();
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    if (!NUMBER.test(number)) { return; }

    if (KEY.test(key)) {
      var box = document.getElementById("qr-verify");
      fill(box, "number", number);
      fill(box, "key", key);
      box.querySelector("[data-qr-go]").addEventListener("click", function () {
        try {
          window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ number: number, key: key, at: Date.now() }));
        } catch (e) {
          // Storage disabled: the orderer types the pair shown above instead.
        }
        window.location.assign(box.getAttribute("data-verify-url"));
      });
      box.hidden = false;
    } else if (VERSION.test(version)) {
      var copy = document.getElementById("qr-copy");
      fill(copy, "number", number);
      fill(copy, "version", version);
      copy.hidden = false;
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
