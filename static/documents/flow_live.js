/* Flow page kept live: /ws/flow/<id>/ says "changed" (no content); the panel is then refetched as an HTML
 * fragment — the server decides what this person may see and do. Text the person was typing (意见, 理由,
 * 评论) survives the swap. On every (re)connect the panel is refetched too, so nothing is missed while the
 * socket was down. Reconnects back off (1 s → 30 s, jittered); 4001/4401/4403 stop for good. */
(function () {
  "use strict";
  var box = document.getElementById("flow-live");
  if (!box || !("WebSocket" in window) || !window.fetch) {
    return;
  }
  var socketPath = box.getAttribute("data-flow-socket");
  var panelUrl = box.getAttribute("data-panel-url");
  var target = box.querySelector("[data-flow-panel]");
  var status = box.querySelector("[data-flow-live]");
  var timer = null;
  var attempt = 0;
  var connectedOnce = false;
  var announce = false;

  function setStatus(state, text) {
    if (status) {
      status.setAttribute("data-flow-live", state);
      status.textContent = text || "";
    }
  }

  function typedValues() {
    var saved = {};
    var fields = target.querySelectorAll("textarea[name], input[type=text][name], input[type=date][name]");
    for (var i = 0; i < fields.length; i++) {
      var key = (fields[i].form && fields[i].form.getAttribute("action") || "") + "|" + fields[i].name;
      if (fields[i].value) {
        saved[key] = { value: fields[i].value, focused: document.activeElement === fields[i] };
      }
    }
    return saved;
  }

  function restore(saved) {
    var fields = target.querySelectorAll("textarea[name], input[type=text][name], input[type=date][name]");
    for (var i = 0; i < fields.length; i++) {
      var key = (fields[i].form && fields[i].form.getAttribute("action") || "") + "|" + fields[i].name;
      if (saved[key]) {
        fields[i].value = saved[key].value;
        if (saved[key].focused) {
          fields[i].focus();
        }
      }
    }
  }

  function currentRevision() {
    var panel = target.querySelector("[data-flow-revision]");
    return panel ? panel.getAttribute("data-flow-revision") : null;
  }

  function refresh() {
    timer = null;
    fetch(panelUrl, { credentials: "same-origin", headers: { "X-OA-Background": "1" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var saved = typedValues();
        var doc = new DOMParser().parseFromString("<div>" + html + "</div>", "text/html");
        target.replaceChildren.apply(target, Array.prototype.slice.call(doc.body.firstChild.childNodes));
        restore(saved);
        if (announce) {
          setStatus("updated", "流程已更新（" + new Date().toLocaleTimeString() + "）");
        }
        announce = false;
      })
      .catch(function () { /* the next change or reconnect refreshes */ });
  }

  function schedule() {
    if (timer === null) {
      timer = setTimeout(refresh, 200);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + socketPath);
    socket.addEventListener("open", function () {
      attempt = 0;
      setStatus("open", "");
      if (connectedOnce) {
        schedule(); // changes made while the socket was down
      }
      connectedOnce = true;
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "changed") {
        announce = true;
        schedule();
      } else if (data.type === "hello" && String(data.revision) !== currentRevision()) {
        schedule();
      }
    });
    socket.addEventListener("close", function (event) {
      setStatus("closed", "");
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
