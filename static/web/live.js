/* Live todo counts over /ws/todo/.
 *
 * A push is only a hint: on every (re)connect the page fetches the counts over HTTP, so nothing is lost while
 * the socket was down. Reconnects back off exponentially (1 s → 30 s, with jitter).
 *
 * The HTTP resync is sent with "X-OA-Background: 1": it is not the person's doing, so it must not keep the
 * session alive (oa.accounts.middleware); when the session is over it answers 401 with the reason.
 * When the socket is closed as session-over (4001/4401) the page asks the same URL why; on 401 the script
 * stops for good and shows the reason with a 重新登录 link (it does not navigate by itself: the person
 * may be reading the page, and the login page could not say why they were signed out).
 */
(function () {
  "use strict";

  var body = document.body;
  var socketPath = body && body.getAttribute("data-live-socket");
  if (!socketPath || !("WebSocket" in window)) {
    return;
  }
  var countsUrl = body.getAttribute("data-live-counts");
  var loginUrl = body.getAttribute("data-login-url");
  var SESSION_OVER = { 4001: true, 4401: true };
  var MAX_DELAY = 30000;
  var attempt = 0;
  var stopped = false;
  var leaving = false; // the page is navigating away (e.g. the 退出 form): let that navigation win
  var lastCounts = parseInitial(body.getAttribute("data-initial-counts"));
  var pushes = 0; // counts received over the socket; a resync answer overtaken by a push is dropped

  function parseInitial(text) {
    var parts = (text || "").split(",").map(Number);
    if (parts.length !== 3 || parts.some(isNaN)) {
      return null;
    }
    return { todo: parts[0], toread: parts[1], done: parts[2] };
  }

  function setStatus(state) {
    var els = document.querySelectorAll("[data-live-status]");
    for (var i = 0; i < els.length; i++) {
      els[i].setAttribute("data-live-status", state);
      els[i].title = { open: "实时提醒已连接", connecting: "正在连接实时提醒…", offline: "实时提醒已断开，正在重连" }[state] || "";
    }
  }

  function applyCounts(counts) {
    var values = {
      todo: counts.todo,
      toread: counts.toread,
      done: counts.done,
      unread: (counts.todo || 0) + (counts.toread || 0)
    };
    Object.keys(values).forEach(function (key) {
      if (typeof values[key] !== "number") {
        return;
      }
      var els = document.querySelectorAll('[data-count="' + key + '"]');
      for (var i = 0; i < els.length; i++) {
        els[i].textContent = String(values[key]);
        if (els[i].classList.contains("nav-badge")) {
          els[i].hidden = values[key] === 0;
        }
      }
    });
    var changed = lastCounts !== null &&
      (lastCounts.todo !== counts.todo || lastCounts.toread !== counts.toread || lastCounts.done !== counts.done);
    lastCounts = { todo: counts.todo, toread: counts.toread, done: counts.done };
    if (changed) {
      // Lists listen for this (htmx: hx-trigger="todo-changed from:body") and refresh themselves.
      body.dispatchEvent(new CustomEvent("todo-changed", { detail: lastCounts }));
      var hints = document.querySelectorAll("[data-live-hint]");
      for (var j = 0; j < hints.length; j++) {
        hints[j].hidden = false;
      }
    }
  }

  function sessionOver(detail, login) {
    stopped = true;
    setStatus("offline");
    if (leaving) {
      return; // signing out or navigating: the next page tells the rest
    }
    var notice = document.querySelector("[data-session-ended]");
    if (!notice) {
      return;
    }
    var text = notice.querySelector("[data-session-ended-detail]");
    if (text) {
      text.textContent = detail || "您已退出登录，请重新登录。";
    }
    var link = notice.querySelector("[data-session-ended-login]");
    var target = login || loginUrl;
    if (link && target) {
      link.href = target + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    }
    body.setAttribute("data-session", "ended");
    notice.hidden = false;
  }

  function resync() {
    var pushesBefore = pushes;
    var headers = { Accept: "application/json", "X-OA-Background": "1" };
    return fetch(countsUrl, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          return response.json().catch(function () { return {}; }).then(function (reply) {
            sessionOver(reply && reply.detail, reply && reply.login_url);
            return null;
          });
        }
        return response.ok ? response.json() : null;
      })
      .then(function (counts) {
        // Every change is pushed, so a push that arrived meanwhile is at least as fresh as this answer.
        if (counts && pushes === pushesBefore) {
          applyCounts(counts);
        }
      })
      .catch(function () { /* offline: the socket retry will resync later */ });
  }

  function scheduleReconnect() {
    if (stopped) {
      return;
    }
    var delay = Math.min(MAX_DELAY, 1000 * Math.pow(2, attempt));
    attempt += 1;
    setTimeout(function () {
      // Ask over HTTP first: a signed-out session answers 401 and we stop instead of hammering the socket.
      resync().then(function () {
        if (!stopped) {
          connect();
        }
      });
    }, delay / 2 + Math.random() * delay / 2);
  }

  function connect() {
    setStatus("connecting");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + socketPath);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", function () {
      setStatus("open");
      resync();
    });
    socket.addEventListener("message", function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data && data.type === "counts") {
        attempt = 0; // reset on the first counts, not on open: a socket closed right after opening backs off
        pushes += 1;
        applyCounts(data);
      }
    });
    socket.addEventListener("close", function (event) {
      setStatus("offline");
      if (SESSION_OVER[event.code]) {
        // Ask over HTTP why: a 401 stops everything and shows the reason; anything else retries (backed off).
        if (leaving) {
          stopped = true; // signing out: the 退出 navigation wins
          return;
        }
        resync().then(function () {
          if (!stopped) {
            scheduleReconnect();
          }
        });
        return;
      }
      scheduleReconnect();
    });
  }

  window.addEventListener("beforeunload", function () {
    leaving = true;
  });
  window.addEventListener("pageshow", function (event) {
    leaving = false;
    if (event.persisted) {
      resync(); // back/forward cache: the counts on screen may be old
    }
  });

  connect();
})();
