/* Meeting page: /ws/meetings/<id>/ pushes the organiser the 回执/签到 counts (the attendance board is then
 * refetched as an HTML fragment) and tells invitees "changed" (the time/place block is refetched). The server
 * decides what may be shown. Reconnects back off (1 s → 30 s). */
(function () {
  "use strict";
  var organiser = document.getElementById("mtg-live");
  var box = organiser || document.getElementById("mtg-watch");
  if (!box || !("WebSocket" in window)) {
    return;
  }
  var socketPath = box.getAttribute("data-meeting-socket");
  var boardUrl = organiser ? box.getAttribute("data-board-url") : box.getAttribute("data-facts-url");
  var target = organiser ? box.querySelector("[data-board]") : document.querySelector("[data-facts]");
  var status = organiser ? box.querySelector("[data-mtg-live]") : box;
  var timer = null;
  var attempt = 0;
  var opened = false; // the very first message is the state the page was rendered with

  function refresh() {
    timer = null;
    fetch(boardUrl, { credentials: "same-origin", headers: { "X-OA-Background": "1" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
        if (organiser) {
          target.replaceChildren.apply(target, Array.prototype.slice.call(doc.body.firstChild.childNodes));
        } else {
          var fresh = doc.querySelector("[data-facts]");
          if (fresh && target) { target.replaceWith(fresh); target = fresh; }
        }
      })
      .catch(function () { /* the next change or reconnect refreshes */ });
  }

  function showCounts(counts) {
    Object.keys(counts).forEach(function (key) {
      var el = box.querySelector('[data-count="' + key + '"]');
      if (el) { el.textContent = String(counts[key]); }
    });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + socketPath);
    socket.addEventListener("open", function () { if (status) { status.setAttribute("data-mtg-live", "open"); } });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "counts") {
        showCounts(data.counts || {});
        if (timer === null) { timer = setTimeout(refresh, 300); }
      } else if (data.type === "changed" && !organiser && opened) {
        if (timer === null) { timer = setTimeout(refresh, 300); }
      }
      opened = true;
      attempt = 0;
    });
    socket.addEventListener("close", function (event) {
      if (status) { status.setAttribute("data-mtg-live", "closed"); }
      if (event.code === 4001 || event.code === 4401 || event.code === 4403) {
        return;
      }
      attempt += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
      setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    });
  }

  connect();
})();
