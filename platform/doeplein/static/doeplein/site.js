// Small progressive enhancements for every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  // Dangerous actions ask first: a form or button with data-confirm="Question?" only submits
  // after the person agrees. Without JavaScript the action goes ahead as a plain form.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);
  // Relative times ("5 minutes ago") on <time data-relative>, kept fresh every minute.
  var lang = document.documentElement.lang || "nl";
  var format = ("RelativeTimeFormat" in Intl) ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  function refresh() {
    if (!format) return;
    var now = Date.now();
    document.querySelectorAll("time[data-relative]").forEach(function (el) {
      var then = Date.parse(el.getAttribute("datetime"));
      if (isNaN(then)) return;
      var seconds = Math.round((then - now) / 1000);
      var abs = Math.abs(seconds);
      var text;
      if (abs < 45) text = format.format(0, "second");
      else if (abs < 3600) text = format.format(Math.round(seconds / 60), "minute");
      else if (abs < 86400) text = format.format(Math.round(seconds / 3600), "hour");
      else if (abs < 7 * 86400) text = format.format(Math.round(seconds / 86400), "day");
      else return; // older: keep the date the server wrote
      if (!el.title) el.title = el.textContent.trim();
      // Only when it changes: observers of the page (the room follows new messages) see no churn.
      if (el.textContent !== text) el.textContent = text;
    });
  }
  window.doepleinRelativeTimes = refresh;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refresh); else refresh();
  setInterval(refresh, 60000);
})();
