/* 分享到会话: pick a recent conversation or search people / groups, then post the document card.
   Every picker on the page (usually one) works alone; the server decides who may share what. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function setup(root) {
    var dialog = root.querySelector("[data-share-dialog]");
    var form = root.querySelector("[data-share-form]");
    var search = root.querySelector("[data-share-search]");
    var list = root.querySelector("[data-share-list]");
    var heading = root.querySelector("[data-share-heading]");
    var status = root.querySelector("[data-share-status]");
    var timer = null;
    var asked = 0;
    var busy = false;

    function say(text, isError, link) {
      status.textContent = text;
      status.classList.toggle("is-error", !!isError);
      if (link) {
        var a = el("a", "", "打开会话");
        a.href = link;
        a.setAttribute("data-share-done", "");
        status.appendChild(document.createTextNode(" "));
        status.appendChild(a);
      }
    }

    function choice(field, id, label, sub) {
      var item = el("li");
      var button = el("button", "", label);
      button.type = "button";
      button.setAttribute("data-share-to", field + ":" + id);
      if (sub) {
        button.appendChild(el("span", "share-sub", sub));
      }
      button.addEventListener("click", function () {
        send(field, id, label);
      });
      item.appendChild(button);
      return item;
    }

    function render(data, query) {
      list.textContent = "";
      heading.textContent = query ? "搜索结果" : "最近会话";
      data.conversations.forEach(function (c) {
        list.appendChild(choice("conversation", c.id, c.title, c.kind));
      });
      data.people.forEach(function (p) {
        list.appendChild(choice("person", p.id, p.name, [p.unit, p.department].filter(Boolean).join("·")));
      });
      if (!list.children.length) {
        list.appendChild(el("li", "share-empty", query ? "没有找到匹配的人员或群组。" : "还没有会话，请搜索人员或群组。"));
      }
      root.setAttribute("data-share-loaded", query || "");
    }

    function load() {
      var query = search.value.trim();
      var mine = ++asked;
      var url = root.getAttribute("data-share-targets") + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (mine === asked) {
            render(data, query);
          }
        })
        .catch(function () {
          if (mine === asked) {
            say("无法加载会话列表，请稍后重试。", true);
          }
        });
    }

    function send(field, id, label) {
      if (busy) {
        return;
      }
      busy = true;
      var body = new FormData(form);
      body.delete("q");
      body.append(field, id);
      say("正在分享到「" + label + "」……");
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": body.get("csrfmiddlewaretoken") },
        body: body
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (result.ok) {
            say("已分享到「" + result.data.title + "」。", false, result.data.url);
          } else {
            say(result.data.detail || "分享失败。", true);
          }
        })
        .catch(function () {
          say("网络异常，分享失败，请重试。", true);
        })
        .then(function () {
          busy = false;
        });
    }

    root.querySelector("[data-share-open]").addEventListener("click", function () {
      say("");
      dialog.showModal();
      search.focus();
      load();
    });
    root.querySelector("[data-share-close]").addEventListener("click", function () {
      dialog.close();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault(); // Enter in the search box searches; choosing a target shares
      load();
    });
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    root.setAttribute("data-share-ready", "");
  }

  var roots = document.querySelectorAll("[data-share]");
  for (var i = 0; i < roots.length; i++) {
    setup(roots[i]);
  }
})();
