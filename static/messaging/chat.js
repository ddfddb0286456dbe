/* Conversation page: live messages over the tab's socket (messaging/socket.js), history and search over the
 * API, recall, read receipts, files. The server-rendered page works without this script (forms post). */
(function () {
  "use strict";
  var root = document.querySelector("[data-chat]");
  var bus = window.oaMessages;
  if (!root || !bus) {
    return;
  }
  var chatId = Number(root.getAttribute("data-chat"));
  var me = Number(root.getAttribute("data-me"));
  var api = root.getAttribute("data-api");
  var messageApi = root.getAttribute("data-message-api");
  var receiptsBase = root.getAttribute("data-receipts-base");
  var isGroup = root.getAttribute("data-group") === "1";
  var list = root.querySelector("[data-msgs]");
  var composer = root.querySelector("[data-composer]");
  var textarea = composer.querySelector("textarea");
  var fileInput = composer.querySelector("[data-file]");
  var errorBox = root.querySelector("[data-chat-error]");
  var lastSeq = Number(root.getAttribute("data-last-seq")) || 0;
  var firstSeq = null;
  var readSent = lastSeq;
  var readBy = {}; // person id -> read seq (for 已读 marks on my messages)
  var pending = {}; // client_id -> element

  function csrf() {
    var input = composer.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function request(method, url, body) {
    var options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["X-CSRFToken"] = csrf();
      if (body instanceof FormData) {
        options.body = body;
      } else if (body) {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
    }
    return fetch(url, options).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          throw new Error(data.detail || "操作失败，请稍后重试。");
        }
        return data;
      });
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(m) {
    var li = el("li", "msg" + (m.sender.id === me ? " is-mine" : "") + (m.recalled ? " is-recalled" : ""));
    li.id = "m" + m.seq;
    li.setAttribute("data-seq", m.seq);
    li.setAttribute("data-id", m.id);
    li.setAttribute("data-sender", m.sender.id);
    var meta = el("div", "msg-meta");
    meta.appendChild(el("span", "msg-sender", m.sender.name));
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(el("time", "", (m.created_at || "").slice(11, 16)));
    li.appendChild(meta);
    var body = el("div", "msg-body");
    if (m.recalled) {
      body.appendChild(el("span", "msg-recalled", "消息已撤回"));
    } else if (m.kind === "file" && m.file) {
      var a = el("a", "msg-file", "📎 " + m.file.name);
      a.href = m.file.url;
      body.appendChild(a);
      body.appendChild(el("span", "muted", " " + m.file.size_text));
      if (m.file.is_image) {
        var img = el("img", "msg-image");
        img.src = m.file.url + "?inline=1";
        img.alt = m.file.name;
        body.appendChild(img);
      }
      if (m.text) { body.appendChild(el("div", "msg-text", m.text)); }
    } else if (m.kind === "card" && m.card) {
      if (m.card.hidden) {
        body.appendChild(el("div", "msg-card is-hidden", m.card.title));
      } else {
        var card = el("a", "msg-card");
        card.href = m.card.url || "#";
        card.appendChild(el("span", "msg-card-kind", m.card.label || "公文"));
        card.appendChild(document.createTextNode(" " + m.card.title));
        body.appendChild(card);
      }
    } else {
      body.appendChild(el("div", "msg-text", m.text));
    }
    li.appendChild(body);
    if (m.sender.id === me && !m.recalled) {
      var actions = el("div", "msg-actions");
      var receipts = el("a", "msg-receipts", "已读情况");
      receipts.href = receiptsBase + m.id + "/receipts";
      receipts.setAttribute("data-receipts", "");
      actions.appendChild(receipts);
      var recall = el("button", "btn btn-small", "撤回");
      recall.type = "button";
      recall.setAttribute("data-recall", m.id);
      actions.appendChild(recall);
      li.appendChild(actions);
    }
    return li;
  }

  function place(m) {
    var existing = list.querySelector('[data-seq="' + m.seq + '"]');
    var node = render(m);
    if (existing) {
      list.replaceChild(node, existing);
      return node;
    }
    var empty = list.querySelector("[data-empty]");
    if (empty) { empty.parentNode.removeChild(empty); }
    // Keep seq order whatever the arrival order (socket push, ack, catch-up).
    var items = list.querySelectorAll("[data-seq]");
    var after = null;
    for (var i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].getAttribute("data-seq")) < m.seq) { after = items[i]; break; }
    }
    if (after) {
      list.insertBefore(node, after.nextSibling);
    } else {
      list.insertBefore(node, list.firstChild);
    }
    if (m.seq > lastSeq) { lastSeq = m.seq; }
    return node;
  }

  function scrollToEnd() {
    list.scrollTop = list.scrollHeight;
  }

  function markRead() {
    if (lastSeq > readSent && document.visibilityState === "visible") {
      readSent = lastSeq;
      if (!bus.send({ type: "read", conversation: chatId, seq: lastSeq })) {
        request("POST", api + "read/", { seq: lastSeq }).catch(function () {});
      }
    }
  }

  function applyReceipts() {
    if (isGroup) { return; } // groups: counts on demand (已读情况)
    var mine = list.querySelectorAll('.msg.is-mine[data-seq]');
    var seen = 0;
    Object.keys(readBy).forEach(function (pid) { seen = Math.max(seen, readBy[pid]); });
    for (var i = 0; i < mine.length; i++) {
      var link = mine[i].querySelector("[data-receipts]");
      if (link && Number(mine[i].getAttribute("data-seq")) <= seen) {
        link.textContent = "已读";
        link.classList.add("is-read");
      }
    }
  }

  // --- socket events ---------------------------------------------------------------------------------
  bus.on("open", function () {
    var since = {};
    since[chatId] = lastSeq;
    bus.send({ type: "catch_up", since: since });
  });
  bus.on("caught_up", function (data) {
    (data.conversations || []).forEach(function (c) {
      if (c.id !== chatId) { return; }
      c.messages.forEach(place);
      (c.recalled || []).forEach(function (seq) {
        var node = list.querySelector('[data-seq="' + seq + '"]');
        if (node && !node.classList.contains("is-recalled")) {
          var sender = { id: Number(node.getAttribute("data-sender")), name: node.querySelector(".msg-sender").textContent };
          place({ id: Number(node.getAttribute("data-id")), seq: seq, sender: sender, recalled: true, kind: "text" });
        }
      });
      if (c.more) { showError("离线期间的消息较多，请刷新页面查看全部。"); }
      scrollToEnd();
      markRead();
    });
  });
  bus.on("message", function (data) {
    if (data.message.conversation !== chatId) { return; }
    var node = place(data.message);
    if (data.message.client_id && pending[data.message.client_id]) {
      delete pending[data.message.client_id];
    }
    if (node) { scrollToEnd(); }
    markRead();
  });
  bus.on("ack", function (data) {
    if (data.message && data.message.conversation === chatId) {
      place(data.message);
      scrollToEnd();
    }
  });
  bus.on("recalled", function (data) {
    if (data.conversation === chatId) { place(data.message); }
  });
  bus.on("read", function (data) {
    if (data.conversation !== chatId || data.person === me) { return; }
    readBy[data.person] = Math.max(readBy[data.person] || 0, data.seq);
    applyReceipts();
  });
  bus.on("error", function (data) { showError(data.detail); });
  document.addEventListener("visibilitychange", markRead);

  // --- sending -----------------------------------------------------------------------------------------
  function clientId() {
    return "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    var text = textarea.value.trim();
    var file = fileInput && fileInput.files && fileInput.files[0];
    var cardId = composer.querySelector("input[name=card_id]");
    var id = clientId();
    if (file || (cardId && cardId.value.trim())) {
      var form = new FormData(composer);
      form.append("client_id", id);
      request("POST", api + "messages/", form).then(function (m) {
        place(m);
        scrollToEnd();
        composer.reset();
      }).catch(function (e) { showError(e.message); });
      return;
    }
    if (!text) {
      showError("消息内容不能为空。");
      return;
    }
    var payload = { type: "send", conversation: chatId, text: text, client_id: id };
    if (bus.send(payload)) {
      pending[id] = true;
      textarea.value = "";
    } else {
      request("POST", api + "messages/", { text: text, client_id: id }).then(function (m) {
        place(m);
        scrollToEnd();
        textarea.value = "";
      }).catch(function (e) { showError(e.message); });
    }
  });
  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  // --- recall and receipts -----------------------------------------------------------------------------
  list.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-recall-form]");
    if (!form) { return; }
    event.preventDefault();
    var id = form.closest("[data-id]").getAttribute("data-id");
    recall(id);
  });
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-recall]");
    if (button) {
      recall(button.getAttribute("data-recall"));
      return;
    }
    var link = event.target.closest("[data-receipts]");
    if (link && isGroup) {
      event.preventDefault();
      var id = link.closest("[data-id]").getAttribute("data-id");
      request("GET", messageApi + id + "/receipts/").then(function (r) {
        var names = r.read.map(function (p) { return p.name; }).join("、");
        link.textContent = r.read_count + "/" + r.total + " 人已读";
        link.title = names ? "已读：" + names : "暂无人已读";
      }).catch(function (e) { showError(e.message); });
    }
  });

  function recall(id) {
    showError("");
    if (!bus.send({ type: "recall", message: Number(id) })) {
      request("POST", messageApi + id + "/recall/").then(place).catch(function (e) { showError(e.message); });
    }
  }

  // --- older history and search ------------------------------------------------------------------------
  var older = root.querySelector("[data-load-older]");
  if (older) {
    older.addEventListener("click", function () {
      var firstItem = list.querySelector("[data-seq]");
      firstSeq = firstItem ? Number(firstItem.getAttribute("data-seq")) : lastSeq + 1;
      request("GET", api + "messages/?before=" + firstSeq + "&limit=30").then(function (page) {
        page.messages.forEach(place);
        older.hidden = !page.has_more;
      }).catch(function (e) { showError(e.message); });
    });
  }

  var searchForm = root.querySelector("[data-chat-search]");
  var results = root.querySelector("[data-search-results]");
  var clear = root.querySelector("[data-search-clear]");
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = searchForm.querySelector("input[name=q]").value.trim();
    request("GET", api + "search/?q=" + encodeURIComponent(q)).then(function (page) {
      results.textContent = "";
      if (!page.messages.length) {
        results.appendChild(el("li", "muted", "没有找到包含“" + q + "”的消息。"));
      }
      page.messages.forEach(function (m) {
        var li = el("li", "search-hit");
        var a = el("a", "", m.sender.name + "（" + (m.created_at || "").slice(5, 16).replace("T", " ") + "）：" +
          (m.file ? m.file.name : m.card ? m.card.title : m.text));
        a.href = "#m" + m.seq;
        li.appendChild(a);
        results.appendChild(li);
      });
      results.hidden = false;
      clear.hidden = false;
    }).catch(function (e) { showError(e.message); });
  });
  clear.addEventListener("click", function () {
    results.hidden = true;
    clear.hidden = true;
    results.textContent = "";
  });

  scrollToEnd();
})();
