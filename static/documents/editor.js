/* 公文 draft editor: the body's block editor (levels with automatic numbering, split, move) and the live
 * preview. The numbering rules mirror documents/body.py (the server renumbers again on save). */
(function () {
  "use strict";

  var HEADINGS = ["heading1", "heading2", "heading3", "heading4"];
  var PREFIX_RE = /^\s*(?:[一二三四五六七八九十百]+\s*[、，,.．]|[（(]\s*[一二三四五六七八九十百]+\s*[）)]|\d+\s*[.．、](?!\d)|[（(]\s*\d+\s*[）)])\s*/;
  var DIGITS = "零一二三四五六七八九";

  function chineseNumber(n) {
    if (n < 10) return DIGITS[n];
    if (n < 20) return "十" + (n % 10 ? DIGITS[n % 10] : "");
    if (n < 100) return DIGITS[Math.floor(n / 10)] + "十" + (n % 10 ? DIGITS[n % 10] : "");
    var hundreds = Math.floor(n / 100), rest = n % 100;
    if (rest === 0) return DIGITS[hundreds] + "百";
    if (rest < 10) return DIGITS[hundreds] + "百零" + DIGITS[rest];
    return DIGITS[hundreds] + "百" + (rest < 20 ? "一" : "") + chineseNumber(rest);
  }

  function prefixFor(kind, n) {
    if (kind === "heading1") return chineseNumber(n) + "、";
    if (kind === "heading2") return "（" + chineseNumber(n) + "）";
    if (kind === "heading3") return n + ".";
    if (kind === "heading4") return "（" + n + "）";
    return "";
  }

  function stripPrefix(text) { return text.replace(PREFIX_RE, ""); }

  var form = document.querySelector("[data-doc-editor]");
  if (!form) return;
  var list = form.querySelector("[data-blocks]");
  var template = form.querySelector("[data-block-template]");
  var preview = document.querySelector("[data-live-preview]");

  function blocks() { return Array.prototype.slice.call(list.querySelectorAll("[data-block]")); }
  function kindOf(block) { return block.querySelector("[data-block-kind]").value; }
  function textarea(block) { return block.querySelector("textarea"); }

  function renumber() {
    var counters = [0, 0, 0, 0];
    blocks().forEach(function (block) {
      var kind = kindOf(block);
      block.setAttribute("data-kind", kind);
      var level = HEADINGS.indexOf(kind);
      var area = textarea(block);
      if (level < 0) return;
      var body = stripPrefix(area.value);
      if (!body && !area.value) return; // an empty new block gets its number once something is typed
      counters[level] += 1;
      for (var lower = level + 1; lower < 4; lower++) counters[lower] = 0;
      area.value = prefixFor(kind, counters[level]) + body;
    });
    markCurrent();
  }

  function reindex() {
    blocks().forEach(function (block, i) {
      block.querySelector("[data-block-kind]").name = "block-" + i + "-kind";
      textarea(block).name = "block-" + i + "-text";
    });
  }

  function markCurrent() {
    blocks().forEach(function (block) {
      var kind = kindOf(block);
      block.querySelectorAll("[data-set-kind]").forEach(function (button) {
        button.classList.toggle("is-current", button.getAttribute("data-set-kind") === kind);
        button.setAttribute("aria-pressed", button.getAttribute("data-set-kind") === kind ? "true" : "false");
      });
    });
  }

  function newBlock(kind, text) {
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__i__/g, "new");
    var block = holder.querySelector("[data-block]");
    block.querySelector("[data-block-kind]").value = kind || "paragraph";
    textarea(block).value = text || "";
    enhance(block);
    return block;
  }

  function enhance(block) {
    var tools = block.querySelector("[data-block-tools]");
    if (tools) tools.hidden = false;
    block.querySelector("[data-block-kind]").hidden = true; // the buttons replace it; it still submits
  }

  function split(block) {
    var area = textarea(block);
    var at = area.selectionStart || 0;
    var before = area.value.slice(0, at).replace(/\s+$/, "");
    var after = area.value.slice(at).replace(/^\s+/, "");
    area.value = before;
    var next = newBlock("paragraph", after);
    block.parentNode.insertBefore(next, block.nextSibling);
    changed();
    var nextArea = textarea(next);
    nextArea.focus();
    nextArea.setSelectionRange(0, 0);
  }

  function changed() {
    renumber();
    reindex();
    schedulePreview();
  }

  list.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !list.contains(button)) return;
    var block = button.closest("[data-block]");
    var setKind = button.getAttribute("data-set-kind");
    var action = button.getAttribute("data-action");
    if (setKind) {
      block.querySelector("[data-block-kind]").value = setKind;
      changed();
      textarea(block).focus();
    } else if (action === "split") {
      split(block);
    } else if (action === "add") {
      var added = newBlock("paragraph", "");
      block.parentNode.insertBefore(added, block.nextSibling);
      changed();
      textarea(added).focus();
    } else if (action === "up" && block.previousElementSibling) {
      block.parentNode.insertBefore(block, block.previousElementSibling);
      changed();
    } else if (action === "down" && block.nextElementSibling) {
      block.parentNode.insertBefore(block.nextElementSibling, block);
      changed();
    } else if (action === "remove") {
      if (blocks().length > 1) block.parentNode.removeChild(block);
      else textarea(block).value = "";
      changed();
    }
  });

  list.addEventListener("change", function (event) {
    if (event.target.matches("[data-block-kind]")) changed();
  });

  // Enter in a paragraph or heading splits it (a table's textarea keeps Enter for its rows).
  list.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    var block = event.target.closest("[data-block]");
    if (!block || event.target.tagName !== "TEXTAREA" || kindOf(block) === "table") return;
    event.preventDefault();
    split(block);
  });

  list.addEventListener("focusout", function (event) {
    if (event.target.tagName === "TEXTAREA") renumber();
  });

  form.addEventListener("submit", function () {
    renumber();
    reindex();
  });

  // Joint issuers: choosing in the last select opens another one for the next issuer.
  var issuers = form.querySelector("[data-issuers]");
  if (issuers) {
    issuers.addEventListener("change", function (event) {
      var extra = issuers.querySelector("[data-issuer-extra]");
      if (event.target === extra && extra.value) {
        extra.removeAttribute("data-issuer-extra");
        extra.setAttribute("aria-label", "联合发文机关");
        var next = extra.cloneNode(true);
        next.value = "";
        next.setAttribute("data-issuer-extra", "");
        next.setAttribute("aria-label", "添加联合发文机关");
        issuers.appendChild(next);
      }
      schedulePreview();
    });
  }

  // --- live preview ---------------------------------------------------------------------------------------

  function field(name) { return form.querySelector("[name='" + name + "']"); }
  function value(name) { var el = field(name); return el ? el.value.trim() : ""; }
  function selectedTexts(name) {
    var el = field(name);
    if (!el) return [];
    return Array.prototype.filter.call(el.options, function (o) { return o.selected && o.value; })
      .map(function (o) { return o.text; });
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  function dateText(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? (+m[1]) + "年" + (+m[2]) + "月" + (+m[3]) + "日" : "";
  }

  function renderPreview() {
    if (!preview) return;
    preview.textContent = "";
    var top = [value("copy_number"), value("urgency")].filter(Boolean).join("　");
    preview.appendChild(el("div", "pv-top", top));
    var issuerNames = Array.prototype.map.call(form.querySelectorAll("select[name=issuers]"), function (s) {
      return s.value ? s.options[s.selectedIndex].text : "";
    }).filter(Boolean);
    var docType = value("doc_type");
    var suffix = docType === "函" ? "" : (docType === "纪要" ? "纪要" : "文件");
    var mark = el("div", "pv-mark");
    issuerNames.forEach(function (name, i) {
      if (i) mark.appendChild(document.createElement("br"));
      mark.appendChild(document.createTextNode(name));
    });
    if (suffix) mark.appendChild(document.createTextNode(suffix));
    preview.appendChild(mark);
    var numberEl = document.querySelector("[data-doc-number]");
    var number = numberEl ? numberEl.getAttribute("data-doc-number") : "";
    var signers = value("signers");
    var numberLine = el("div", "pv-number" + (signers ? " is-upward" : ""));
    numberLine.appendChild(el("span", "", number || "〔发文字号〕"));
    if (signers) numberLine.appendChild(el("span", "", "签发人：" + signers));
    preview.appendChild(numberLine);
    preview.appendChild(el("div", "pv-rule"));
    preview.appendChild(el("div", "pv-title", value("title")));
    var main = selectedTexts("main_units").concat(value("main_recipients_text") ? [value("main_recipients_text")] : []);
    if (main.length) preview.appendChild(el("p", "pv-recipients", main.join("，") + "："));
    blocks().forEach(function (block) {
      var kind = kindOf(block);
      var text = textarea(block).value.trim();
      if (!text) return;
      if (kind === "table") {
        var table = el("table");
        text.split("\n").forEach(function (line) {
          if (!line.trim()) return;
          var tr = el("tr");
          line.split(/[|｜\t]/).forEach(function (cell) { tr.appendChild(el("td", "", cell.trim())); });
          table.appendChild(tr);
        });
        preview.appendChild(table);
      } else {
        var cls = kind === "heading1" ? "pv-h1" : kind === "heading2" ? "pv-h2" : "";
        text.split("\n").forEach(function (line) { if (line.trim()) preview.appendChild(el("p", cls, line.trim())); });
      }
    });
    var notes = value("attachment_note").split("\n").map(function (s) { return s.trim(); }).filter(Boolean);
    if (notes.length) {
      notes.forEach(function (name, i) {
        var label = notes.length > 1 ? (i ? "　　　" : "附件：") + (i + 1) + "." + name : "附件：" + name;
        preview.appendChild(el("p", "", label));
      });
    }
    var signature = value("signature").split("\n").filter(Boolean);
    (signature.length ? signature : issuerNames).forEach(function (line) {
      preview.appendChild(el("p", "pv-signature", line));
    });
    var date = dateText(value("written_date"));
    if (date) preview.appendChild(el("p", "pv-signature", date));
    if (value("note")) preview.appendChild(el("p", "", "（" + value("note") + "）"));
    var cc = selectedTexts("cc_units").concat(value("cc_text") ? [value("cc_text")] : []);
    var printer = value("printer"), printDate = dateText(value("print_date"));
    if (cc.length || printer || printDate) {
      var imprint = el("div", "pv-imprint");
      if (cc.length) imprint.appendChild(el("p", "", "抄送：" + cc.join("，") + "。"));
      imprint.appendChild(el("p", "", [printer, printDate ? printDate + "印发" : ""].filter(Boolean).join("　　")));
      preview.appendChild(imprint);
    }
  }

  var timer = null;
  function schedulePreview() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(renderPreview, 150);
  }
  form.addEventListener("input", schedulePreview);
  form.addEventListener("change", schedulePreview);

  blocks().forEach(enhance);
  markCurrent();
  renderPreview();
})();
