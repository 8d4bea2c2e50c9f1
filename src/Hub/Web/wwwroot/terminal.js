// A tty run's terminal on the agent page: xterm.js replays the run's output from position 0 (the screen comes back on
// every visit; several viewers see the same), follows it live by position like the output view (EventSource resumes
// with Last-Event-ID), and — for root, while the run runs — sends keys and the terminal's size to the hub's REST API.
// Bytes go to xterm as bytes; nothing from the process is ever inserted into the page as HTML.
(function () {
  "use strict";
  const box = document.getElementById("run-terminal");
  if (!box || typeof Terminal === "undefined") return;
  // xterm.js styles itself with <style> elements; the page's CSP lets them through with this nonce only.
  const nonce = box.dataset.styleNonce;
  const createElement = document.createElement.bind(document);
  document.createElement = function (tag, options) {
    const element = createElement(tag, options);
    if (nonce && String(tag).toLowerCase() === "style") element.nonce = nonce;
    return element;
  };

  const api = box.dataset.input;
  const run = box.dataset.run;
  const term = new Terminal({ scrollback: 10000, cursorBlink: !!api, disableStdin: !api, fontSize: 13 });
  const fit = new FitAddon.FitAddon();
  term.loadAddon(fit);
  term.open(box.querySelector(".terminal-box"));
  fit.fit();
  window.meshTerminal = term;

  const source = new EventSource(box.dataset.stream);
  source.addEventListener("chunk", function (event) {
    const binary = atob(event.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    term.write(bytes);
  });
  source.addEventListener("dropped", function (event) {
    term.write("\r\n\x1b[2m… output before byte " + Number(event.data) + " was dropped …\x1b[0m\r\n");
  });
  source.addEventListener("end", function (event) {
    // How the run ended, from the hub: control characters removed so the terminal interprets nothing in it.
    term.write("\r\n\x1b[2m— " + event.data.replace(/[\x00-\x1f\x7f-\x9f]/g, "") + " —\x1b[0m\r\n");
    source.close();
  });
  if (!api) return;

  function post(path, body) {
    return fetch(api + path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (response.ok) return true;
      if (response.status === 409) {
        response.json().then(function (problem) { term.write("\r\n\x1b[2m" + String(problem.detail || "refused").replace(/[\x00-\x1f]/g, " ") + "\x1b[0m\r\n"); });
      }
      return false;
    });
  }

  // Keys in order: one request at a time, with whatever was typed meanwhile sent together.
  let pending = "";
  let sending = false;
  function flush() {
    if (sending || pending === "") return;
    const text = pending;
    pending = "";
    sending = true;
    post("/input", { text: text, run: run }).finally(function () { sending = false; flush(); });
  }
  term.onData(function (data) { pending += data; flush(); });

  let resizeTimer = 0;
  function sendSize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      const size = { cols: term.cols, rows: term.rows, run: run };
      post("/resize", size).then(function (ok) { if (ok) box.dataset.sizeSent = size.cols + "x" + size.rows; });
    }, 100);
  }
  term.onResize(sendSize);
  window.addEventListener("resize", function () { fit.fit(); });
  sendSize();
  term.focus();
})();
