// Optional: the pages work without it. Counts the time left down between page loads (the server's
// clock decides; this only shows it), reloads when a question's own time runs out, and stops a
// second click from sending an answer twice.
(function () {
  "use strict";
  function countDown(id, reloadAtZero) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var left = parseInt(el.getAttribute("data-seconds-left"), 10);
    if (isNaN(left)) { return; }
    var end = Date.now() + left * 1000;
    function show() {
      var s = Math.max(0, Math.round((end - Date.now()) / 1000));
      el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s === 0) {
        if (reloadAtZero) { window.setTimeout(function () { window.location.reload(); }, 6000); }
        return;
      }
      window.setTimeout(show, 1000);
    }
    show();
  }
  document.addEventListener("DOMContentLoaded", function () {
    countDown("time-left", true);
    countDown("question-left", true);
    var form = document.getElementById("answer-form");
    if (form) {
      form.addEventListener("submit", function () {
        window.setTimeout(function () {
          var buttons = form.querySelectorAll("button");
          for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
        }, 0);
      });
    }
  });
}());
