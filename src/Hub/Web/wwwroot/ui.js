// Progressive enhancement only: every page reads fine without it.
(function () {
  "use strict";

  // "x s ago" (time[data-ago]) and "5 min 3 s" uptimes (time[data-uptime], the start) stay fresh between live updates.
  function uptime(s) {
    return s < 60 ? s + " s"
      : s < 3600 ? Math.floor(s / 60) + " min " + (s % 60) + " s"
      : s < 86400 ? Math.floor(s / 3600) + " h " + Math.floor(s % 3600 / 60) + " min"
      : Math.floor(s / 86400) + " d " + Math.floor(s % 86400 / 3600) + " h";
  }
  function refreshTimes() {
    var now = Date.now();
    document.querySelectorAll("time[data-ago], time[data-uptime]").forEach(function (el) {
      var at = Date.parse(el.getAttribute("datetime"));
      if (isNaN(at)) return;
      var s = Math.max(0, Math.round((now - at) / 1000));
      el.textContent = el.hasAttribute("data-uptime") ? uptime(s)
        : s < 120 ? s + " s ago" : s < 7200 ? Math.floor(s / 60) + " min ago" : Math.floor(s / 3600) + " h ago";
    });
  }
  setInterval(refreshTimes, 1000);

  // Copy buttons: <button class="copy" data-copy="element-id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });
})();

// Mailbox inbox: a reconnecting stream may resend a row the page already shows; keep the first of each id.
(function () {
  "use strict";
  document.addEventListener("htmx:sseMessage", function (event) {
    var body = document.getElementById("inbox-body");
    if (!body || event.target !== body) return;
    var seen = {};
    body.querySelectorAll("tr[id^='msg-']").forEach(function (row) {
      if (seen[row.id]) row.parentNode.removeChild(row);
      else seen[row.id] = true;
    });
  });
})();
