// Keeps the CRA clocks' countdowns current: each element with data-due
// (the deadline in Unix milliseconds) says how long until it is due, or
// since it was breached. The server renders the same text; this only
// moves it on while the page stays open.
"use strict";
(function () {
  function span(ms) {
    var mins = Math.floor(ms / 60000), days = Math.floor(mins / 1440), hours = Math.floor((mins % 1440) / 60);
    if (days > 0) return days + " d " + hours + " h";
    if (hours > 0) return hours + " h " + (mins % 60) + " min";
    return mins + " min";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Number(el.getAttribute("data-due"));
      if (!due) return;
      var left = due - now;
      el.textContent = left > 0 ? "due in " + span(left) : "breached " + span(-left) + " ago";
      el.classList.toggle("breached", left <= 0);
      var state = el.parentElement && el.parentElement.querySelector(".state");
      if (left <= 0 && state && state.textContent === "due") {
        state.textContent = "breached";
        state.classList.replace("state-pending", "state-failing");
      }
      el.title = "due " + new Date(due).toISOString().slice(0, 16).replace("T", " ") + " UTC";
    });
  }
  tick();
  setInterval(tick, 15000);
})();
