/* Conversation list: unread counts follow the socket; a new conversation or message reorders by reload. */
(function () {
  "use strict";
  var bus = window.oaMessages;
  var list = document.querySelector("[data-chat-list]");
  if (!bus) {
    return;
  }
  function setUnread(id, count) {
    var el = document.querySelector('[data-unread="' + id + '"]');
    if (!el) {
      return false;
    }
    el.textContent = String(count);
    el.hidden = !count;
    return true;
  }
  bus.on("message", function (data) {
    var id = data.message.conversation;
    if (!list || !setUnread(id, data.unread)) {
      window.location.reload();
      return;
    }
    var item = list.querySelector('[data-conversation="' + id + '"]');
    if (item && item !== list.firstElementChild) {
      list.insertBefore(item, list.firstElementChild);
    }
  });
  bus.on("read", function (data) { setUnread(data.conversation, data.unread); });
  bus.on("unread", function (data) { setUnread(data.conversation, 0); });
  bus.on("conversations", function () { window.location.reload(); });
})();
