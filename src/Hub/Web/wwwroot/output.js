// A run's output on the agent page, by position: the server sends base64 chunks whose event id is the position after
// them, so EventSource's own reconnect (Last-Event-ID) resumes exactly where this page got to. Bytes become text
// through a streaming UTF-8 decoder (a character split across chunks stays whole) and reach the page only as text
// nodes; terminal escape sequences (colours, titles, hyperlinks) are removed, never interpreted as HTML.
(function () {
  "use strict";
  const box = document.getElementById("run-output");
  if (!box) return;
  const pre = box.querySelector("pre");
  const follow = document.getElementById("output-follow");
  const decoder = new TextDecoder("utf-8");
  const escapes = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;
  const source = new EventSource(box.dataset.stream);

  function append(text) {
    pre.append(document.createTextNode(text.replace(escapes, "")));
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
    marker("… output before byte " + event.data + " was dropped …");
  });
  source.addEventListener("end", function () {
    append(decoder.decode());
    marker("— end of output —");
    source.close();
  });
  document.getElementById("output-top").addEventListener("click", function () {
    follow.checked = false;
    pre.scrollTop = 0;
  });
})();
