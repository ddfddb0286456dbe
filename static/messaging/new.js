/* People picker of the 发起会话 page: live search, picked people stay picked across searches. */
(function () {
  "use strict";
  var search = document.querySelector("[data-people-search]");
  var results = document.querySelector("[data-people-results]");
  var picked = document.querySelector("[data-picked]");
  var form = document.querySelector("[data-new-chat]");
  if (!search || !results || !picked || !form) {
    return;
  }
  var input = search.querySelector("input[name=q]");
  var chosen = {};
  var timer = null;

  function renderPicked() {
    picked.textContent = "";
    Object.keys(chosen).forEach(function (id) {
      var chip = document.createElement("label");
      chip.className = "chip";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = "members";
      box.value = id;
      box.checked = true;
      box.addEventListener("change", function () {
        delete chosen[id];
        renderPicked();
        syncResults();
      });
      chip.appendChild(box);
      chip.appendChild(document.createTextNode(" " + chosen[id]));
      picked.appendChild(chip);
    });
  }

  function syncResults() {
    var boxes = results.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = !!chosen[boxes[i].value];
    }
  }

  results.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox") {
      return;
    }
    if (box.checked) {
      chosen[box.value] = box.getAttribute("data-name") || box.parentNode.textContent.trim();
    } else {
      delete chosen[box.value];
    }
    renderPicked();
  });

  // Results are only for picking; the picked chips are what the form submits.
  form.addEventListener("submit", function () {
    var boxes = results.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].disabled = true;
    }
  });

  function runSearch() {
    var q = input.value.trim();
    if (!q) {
      return;
    }
    fetch(search.getAttribute("data-people-url") + "?q=" + encodeURIComponent(q), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (data) {
      results.textContent = "";
      if (!data.results.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = "没有找到“" + q + "”。";
        results.appendChild(none);
      }
      data.results.forEach(function (p) {
        var li = document.createElement("li");
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox";
        box.value = String(p.id);
        box.setAttribute("data-name", p.name);
        box.checked = !!chosen[p.id];
        label.appendChild(box);
        label.appendChild(document.createTextNode(" " + p.name + " "));
        var meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = p.unit + (p.department ? "·" + p.department : "") + " " + p.title;
        label.appendChild(meta);
        li.appendChild(label);
        results.appendChild(li);
      });
    });
  }

  search.addEventListener("submit", function (event) {
    event.preventDefault();
    runSearch();
  });
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 250);
  });
})();
