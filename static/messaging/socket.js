/* The messages socket of this tab (/ws/messages/) and the 消息 badge in the main navigation.
 *
 * Loaded on every page. Other scripts of the page use it through window.oaMessages:
 *   oaMessages.on(type, fn)   – server events: hello, message, recalled, read, ack, caught_up, conversations,
 *                               unread, error; plus "open" on every (re)connect
 *   oaMessages.send(object)   – true if sent, false while disconnected
 * The badge shows the unread total pushed by the server. On every (re)connect the page asks the server to
 * catch up (the chat page does it), so nothing is lost while the socket was down. Session end (4001/4401)
 * stops it; web/live.js shows why.
 */
(function () {
  "use strict";

  var body = document.body;
  if (!body || !body.hasAttribute("data-live-socket") || !("WebSocket" in window)) {
    return;
  }
  var SESSION_OVER = { 4001: true, 4401: true };
  var listeners = {};
  var socket = null;
  var attempt = 0;
  var stopped = false;
  var hello = null; // the current connection's greeting, for listeners registered after it arrived

  function emit(type, data) {
    (listeners[type] || []).forEach(function (fn) {
      try { fn(data); } catch (e) { window.console && console.error(e); }
    });
  }

  function setBadge(total) {
    if (typeof total !== "number") {
      return;
    }
    var link = document.querySelector('.mainnav [data-nav="messages"]');
    if (!link) {
      return;
    }
    var badge = link.querySelector("[data-count=messages]");
    if (total > 0) {
      if (!badge) {
        // Created only when needed: pages and tests that look for the 工作台 badge find just that one.
        badge = document.createElement("span");
        badge.className = "nav-badge";
        badge.setAttribute("data-count", "messages");
        badge.title = "未读消息";
        link.appendChild(badge);
      }
      badge.textContent = total > 99 ? "99+" : String(total);
    } else if (badge) {
      badge.parentNode.removeChild(badge);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + "/ws/messages/");
    } catch (e) {
      retry();
      return;
    }
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (!data || typeof data.type !== "string") {
        return;
      }
      if (data.type === "hello") {
        attempt = 0;
        hello = data;
        emit("open", data);
      }
      if ("unread_total" in data) {
        setBadge(data.unread_total);
      }
      emit(data.type, data);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      hello = null;
      emit("close", { code: event.code });
      if (SESSION_OVER[event.code]) {
        stopped = true;
        return;
      }
      retry();
    });
  }

  function retry() {
    if (stopped) {
      return;
    }
    var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
    attempt += 1;
    setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  }

  window.oaMessages = {
    on: function (type, fn) {
      (listeners[type] = listeners[type] || []).push(fn);
      if (type === "open" && hello && socket && socket.readyState === 1) {
        fn(hello);
      }
    },
    send: function (obj) {
      if (!socket || socket.readyState !== 1) {
        return false;
      }
      socket.send(JSON.stringify(obj));
      return true;
    },
    isOpen: function () {
      return !!socket && socket.readyState === 1;
    },
    setBadge: setBadge
  };
  window.addEventListener("beforeunload", function () { stopped = true; });
  connect();
})();
