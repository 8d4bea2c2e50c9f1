// A run's output on the agent page, by position: the server sends base64 chunks whose event id is the position after
// them, so EventSource's own reconnect (Last-Event-ID) resumes exactly where this page got to. Bytes become text
// through a streaming UTF-8 decoder (a character split across chunks stays whole) and reach the page only as text
// nodes. ANSI colours (SGR) become classes or CSSOM colours on spans; every other escape sequence (titles,
// hyperlinks, cursor moves) and control character is removed, never interpreted — and never as HTML.
(function () {
  "use strict";
  const box = document.getElementById("run-output");
  if (!box) return;
  const pre = box.querySelector("pre");
  const follow = document.getElementById("output-follow");
  const decoder = new TextDecoder("utf-8");
  // An escape sequence (CSI, OSC ended by BEL or ST, a two-byte ESC x), or a control character other than \n and \t.
  const token = /\x1b\[([0-9;:?<=>]*)[ -\/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_ -\/0-9a-z`{|}~]|[\x00-\x08\x0b-\x1f\x7f]/g;
  const unfinished = /\x1b(?:\[[0-9;:?<=>]*[ -\/]*|\][^\x07\x1b]*\x1b?)?$/;
  const source = new EventSource(box.dataset.stream);
  let carry = "";
  let style = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };

  function colour256(n) {
    if (n < 16) return { index: n };
    if (n >= 232) { const g = 8 + (n - 232) * 10; return { rgb: "rgb(" + g + "," + g + "," + g + ")" }; }
    n -= 16;
    const level = function (v) { return v === 0 ? 0 : 55 + v * 40; };
    return { rgb: "rgb(" + level(Math.floor(n / 36)) + "," + level(Math.floor(n / 6) % 6) + "," + level(n % 6) + ")" };
  }

  function extended(params, i, target) {
    if (params[i + 1] === 5 && params.length > i + 2) { style[target] = colour256(Math.min(255, params[i + 2])); return i + 2; }
    if (params[i + 1] === 2 && params.length > i + 4) {
      const c = params.slice(i + 2, i + 5).map(function (v) { return Math.min(255, v); });
      style[target] = { rgb: "rgb(" + c.join(",") + ")" };
      return i + 4;
    }
    return params.length;
  }

  function sgr(text) {
    const params = text === "" ? [0] : text.split(/[;:]/).map(function (p) { return p === "" ? 0 : parseInt(p, 10) || 0; });
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (p === 0) style = { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false };
      else if (p === 1) style.bold = true;
      else if (p === 2) style.dim = true;
      else if (p === 3) style.italic = true;
      else if (p === 4) style.underline = true;
      else if (p === 22) { style.bold = false; style.dim = false; }
      else if (p === 23) style.italic = false;
      else if (p === 24) style.underline = false;
      else if (p >= 30 && p <= 37) style.fg = { index: p - 30 };
      else if (p >= 90 && p <= 97) style.fg = { index: p - 90 + 8 };
      else if (p === 39) style.fg = null;
      else if (p >= 40 && p <= 47) style.bg = { index: p - 40 };
      else if (p >= 100 && p <= 107) style.bg = { index: p - 100 + 8 };
      else if (p === 49) style.bg = null;
      else if (p === 38) i = extended(params, i, "fg");
      else if (p === 48) i = extended(params, i, "bg");
    }
  }

  function emit(text, into) {
    if (text === "") return;
    const plain = !style.fg && !style.bg && !style.bold && !style.dim && !style.italic && !style.underline;
    if (plain) { into.append(document.createTextNode(text)); return; }
    const span = document.createElement("span");
    const classes = [];
    if (style.bold) classes.push("ansi-bold");
    if (style.dim) classes.push("ansi-dim");
    if (style.italic) classes.push("ansi-italic");
    if (style.underline) classes.push("ansi-underline");
    if (style.fg && style.fg.index !== undefined) classes.push("ansi-fg-" + style.fg.index);
    if (style.bg && style.bg.index !== undefined) classes.push("ansi-bg-" + style.bg.index);
    span.className = classes.join(" ");
    if (style.fg && style.fg.rgb) span.style.color = style.fg.rgb;
    if (style.bg && style.bg.rgb) span.style.backgroundColor = style.bg.rgb;
    span.textContent = text;
    into.append(span);
  }

  function append(text) {
    text = carry + text;
    carry = "";
    const tail = unfinished.exec(text);
    if (tail && tail[0].length < 4096) { carry = tail[0]; text = text.slice(0, tail.index); }
    const into = document.createDocumentFragment();
    let last = 0;
    token.lastIndex = 0;
    let match;
    while ((match = token.exec(text)) !== null) {
      emit(text.slice(last, match.index), into);
      if (match[2] === "m" && match[1] !== undefined && !/[?<=>]/.test(match[1])) sgr(match[1]);
      last = token.lastIndex;
    }
    emit(text.slice(last), into);
    pre.append(into);
    if (follow.checked) pre.scrollTop = pre.scrollHeight;
  }

  function marker(text) {
    const line = document.createElement("span");
    line.className = "output-marker";
    line.textContent = "\n" + text + "\n";
    pre.append(line);
  }

  source.addEventListener("chunk", function (event) {
    const binary = atob(event.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    append(decoder.decode(bytes, { stream: true }));
  });
  source.addEventListener("dropped", function (event) {
    marker("… output before byte " + Number(event.data) + " was dropped …");
  });
  source.addEventListener("end", function (event) {
    append(decoder.decode());
    carry = "";
    // The last line: how the run ended ("exited, code 3"), plain text from the hub, added as a text node.
    marker("— " + event.data + " —");
    source.close();
  });
  document.getElementById("output-top").addEventListener("click", function () {
    follow.checked = false;
    pre.scrollTop = 0;
  });
})();
