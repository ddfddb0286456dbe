/* Organisation tree: expand / collapse a unit, loading its children (an HTML fragment) the first time.
 * One listener per tree (event delegation), so fragments loaded later work without re-binding. */
(function () {
  "use strict";

  function setExpanded(node, button, list, expanded) {
    node.setAttribute("aria-expanded", expanded ? "true" : "false");
    button.setAttribute("aria-label", (expanded ? "收起 " : "展开 ") + node.querySelector(".tree-name").textContent);
    list.hidden = !expanded;
  }

  function load(node, button, list) {
    button.disabled = true;
    node.classList.add("is-loading");
    fetch(button.dataset.childrenUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        list.innerHTML = html;
        button.dataset.loaded = "1";
        setExpanded(node, button, list, true);
      })
      .catch(function () {
        list.innerHTML = '<li class="tree-error" role="none">加载失败，请稍后重试。</li>';
        list.hidden = false;
      })
      .finally(function () {
        button.disabled = false;
        node.classList.remove("is-loading");
      });
  }

  function onClick(event) {
    var button = event.target.closest(".tree-toggle");
    if (!button) { return; }
    var node = button.closest(".tree-node");
    var list = node.querySelector(":scope > .tree-children");
    if (!list) { return; }
    if (!button.dataset.loaded) { load(node, button, list); return; }
    setExpanded(node, button, list, node.getAttribute("aria-expanded") !== "true");
  }

  document.querySelectorAll("[data-org-tree]").forEach(function (tree) {
    tree.addEventListener("click", onClick);
  });
})();
