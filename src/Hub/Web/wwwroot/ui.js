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

// Nodes page: search, status and capability filters, clickable status counts and sortable columns, re-applied after
// every live update (rows are replaced by the stream). The filters also read ?q=, ?status= and ?capability=.
(function () {
  "use strict";
  var sortKey = null, sortDir = 1;
  function controls() {
    return { q: document.getElementById("node-search"), status: document.getElementById("node-status-filter"), cap: document.getElementById("node-capability-filter") };
  }
  function rows() {
    var body = document.getElementById("nodes-body");
    return body ? Array.prototype.slice.call(body.querySelectorAll("tr[id^='node-']")) : [];
  }
  function keyOf(row, kind) {
    if (kind === "number") return parseFloat(row.getAttribute("data-cpu") || "-1");
    if (kind === "time") return Date.parse(row.getAttribute("data-beat") || "") || 0;
    if (kind === "status") return row.getAttribute("data-status") || "";
    return (row.cells[0] ? row.cells[0].textContent : "").trim().toLowerCase();
  }
  function apply() {
    var c = controls();
    if (!c.q) return;
    var q = c.q.value.trim().toLowerCase(), status = c.status.value, cap = c.cap.value, shown = 0, all = rows();
    var known = {};
    Array.prototype.forEach.call(c.cap.options, function (o) { known[o.value] = true; });
    all.forEach(function (row) {
      (row.getAttribute("data-capabilities") || "").trim().split(/\s+/).forEach(function (name) {
        if (name && !known[name]) { known[name] = true; var o = document.createElement("option"); o.value = o.textContent = name; c.cap.appendChild(o); }
      });
      var match = (!status || row.getAttribute("data-status") === status)
        && (!cap || (row.getAttribute("data-capabilities") || "").indexOf(" " + cap + " ") >= 0)
        && (!q || (row.getAttribute("data-search") || "").indexOf(q) >= 0);
      row.hidden = !match;
      if (match) shown++;
    });
    var count = document.getElementById("node-filter-count");
    if (count) count.textContent = (q || status || cap) ? shown + " of " + all.length + " shown" : "";
    document.querySelectorAll("a[data-filter-status]").forEach(function (a) {
      var active = a.getAttribute("data-filter-status") === status;
      a.classList.toggle("active", active);
      a.setAttribute("aria-pressed", active ? "true" : "false");
    });
    if (sortKey) {
      var body = document.getElementById("nodes-body");
      all.sort(function (a, b) { var x = keyOf(a, sortKey), y = keyOf(b, sortKey); return (x < y ? -1 : x > y ? 1 : 0) * sortDir; })
        .forEach(function (row) { body.appendChild(row); });
    }
  }
  function remember() {
    var c = controls(), params = new URLSearchParams();
    if (c.q.value) params.set("q", c.q.value);
    if (c.status.value) params.set("status", c.status.value);
    if (c.cap.value) params.set("capability", c.cap.value);
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  document.addEventListener("DOMContentLoaded", function () {
    var c = controls();
    if (!c.q) return;
    var params = new URLSearchParams(location.search);
    c.q.value = params.get("q") || "";
    c.status.value = params.get("status") || "";
    apply();
    c.cap.value = params.get("capability") || "";
    apply();
    c.q.addEventListener("input", function () { apply(); remember(); });
    c.status.addEventListener("change", function () { apply(); remember(); });
    c.cap.addEventListener("change", function () { apply(); remember(); });
    document.getElementById("node-filters").addEventListener("submit", function (e) { e.preventDefault(); });
  });
  document.addEventListener("click", function (event) {
    var stat = event.target.closest("a[data-filter-status]");
    if (stat) {
      var c = controls();
      if (!c.status) return;
      event.preventDefault();
      var value = stat.getAttribute("data-filter-status");
      c.status.value = c.status.value === value ? "" : value;
      apply(); remember();
      return;
    }
    var sort = event.target.closest("table.sortable th[data-sort] button.sort");
    if (!sort) return;
    var th = sort.parentNode, kind = th.getAttribute("data-sort") === "text" && th.cellIndex === 1 ? "status" : th.getAttribute("data-sort");
    sortDir = sortKey === kind ? -sortDir : 1;
    sortKey = kind;
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", sortDir === 1 ? "ascending" : "descending");
    apply();
  });
  document.addEventListener("htmx:sseMessage", apply);
})();

// Inbox page: status, channel and sender filters over the messages shown (the newest loaded and those arriving live),
// kept in the address (?status=, ?channel=, ?from=) and re-applied after every live update or ack.
(function () {
  "use strict";
  var names = ["status", "channel", "from"];
  function control(name) { return document.getElementById("inbox-" + name + "-filter"); }
  function rows() {
    var body = document.getElementById("inbox-body");
    return body ? Array.prototype.slice.call(body.querySelectorAll("tr[id^='msg-']")) : [];
  }
  function offer(select, value) {
    if (!value || Array.prototype.some.call(select.options, function (o) { return o.value === value; })) return;
    var option = document.createElement("option");
    option.value = option.textContent = value;
    select.appendChild(option);
  }
  function apply() {
    if (!control("status")) return;
    var all = rows(), shown = 0;
    all.forEach(function (row) {
      offer(control("channel"), row.getAttribute("data-channel"));
      offer(control("from"), row.getAttribute("data-from"));
      var match = names.every(function (name) { var v = control(name).value; return !v || row.getAttribute("data-" + name) === v; });
      row.hidden = !match;
      if (match) shown++;
    });
    var active = names.some(function (name) { return control(name).value; });
    document.getElementById("inbox-filter-count").textContent = active ? shown + " of " + all.length + " shown" : "";
  }
  function remember() {
    var params = new URLSearchParams();
    names.forEach(function (name) { if (control(name).value) params.set(name, control(name).value); });
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (!control("status")) return;
    var params = new URLSearchParams(location.search);
    names.forEach(function (name) {
      var value = params.get(name) || "";
      if (name !== "status") offer(control(name), value);
      control(name).value = value;
      control(name).addEventListener("change", function () { apply(); remember(); });
    });
    document.getElementById("inbox-filters").addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  });
  document.addEventListener("htmx:sseMessage", apply);
  document.addEventListener("htmx:afterSettle", apply);
})();
