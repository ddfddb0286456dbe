/* Live 督办 board: /ws/supervision/ says "changed"; the board refetches its HTML fragment over HTTP (the
 * server decides what this person may see). Refetches are debounced; reconnects back off (1 s → 30 s). */
(function () {
  "use strict";
  var box = document.getElementById("sup-board");
  if (!box || !("WebSocket" in window)) {
    return;
  }
  var socketPath = box.getAttribute("data-board-socket");
  var fragmentUrl = box.getAttribute("data-board-url");
  var timer = null;
  var attempt = 0;

  function refresh() {
    timer = null;
    fetch(fragmentUrl, { credentials: "same-origin", headers: { "X-OA-Background": "1" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null) {
          var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
          box.replaceChildren.apply(box, Array.prototype.slice.call(doc.body.firstChild.childNodes));
        }
      })
      .catch(function () { /* offline: the next change or reconnect refreshes */ });
  }

  function schedule() {
    if (timer === null) {
      timer = setTimeout(refresh, 400);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + socketPath);
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "ready") {
        if (attempt > 0) { schedule(); } // reconnected: changes may have been missed
        attempt = 0;
      } else if (data.type === "changed") {
        schedule();
      }
    });
    socket.addEventListener("close", function (event) {
      if (event.code === 4001 || event.code === 4401) {
        return; // session over: web/live.js tells the person
      }
      attempt += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
      setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    });
  }

  connect();
})();
