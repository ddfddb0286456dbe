// Live exchange pages (inbox and sender's board). A push is a hint: each event carries the unit's sequence
// number; on connect, on a gap or on any event the page refetches its JSON from the server (the truth).
(function () {
  "use strict";
  const root = document.querySelector("[data-exchange-live]");
  if (!root) return;
  const syncUrl = root.dataset.syncUrl;
  const view = root.dataset.view;
  const seen = {};
  (root.dataset.streams || "").split(",").filter(Boolean).forEach(function (pair) {
    const parts = pair.split(":");
    seen[parts[0]] = parseInt(parts[1], 10) || 0;
  });
  const liveState = root.querySelector("[data-live-state]");
  let retry = 1000;
  let syncing = null;

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (className) td.className = className;
    return td;
  }

  // 催收 by the sender: shown while the document still waits for 签收.
  function showUrge(span, row) {
    const text = row.urge_count && row.state === "delivered" ? "已催收 " + row.urge_count + " 次" : "";
    if (span.textContent !== text) span.textContent = text;
    span.hidden = !text;
  }

  function renderInbox(rows) {
    const body = root.querySelector("[data-rows]");
    const existing = {};
    body.querySelectorAll("tr[data-delivery]").forEach(function (tr) { existing[tr.dataset.delivery] = tr; });
    const fresh = rows.filter(function (row) { return !existing[String(row.id)]; });
    rows.forEach(function (row) {
      const tr = existing[String(row.id)];
      const urge = tr && tr.querySelector("[data-urge]");
      if (urge) showUrge(urge, row);
      if (tr && tr.dataset.state !== row.state) {
        tr.dataset.state = row.state;
        const stateCell = tr.querySelector(".state");
        if (stateCell) { stateCell.textContent = row.state_label; stateCell.className = "state state-" + row.state; }
        if (row.state !== "delivered") tr.querySelectorAll("form").forEach(function (f) { f.remove(); });
      }
    });
    if (fresh.length) {
      const empty = body.querySelector("tr.empty");
      if (empty) empty.remove();
      fresh.reverse().forEach(function (row) {
        const tr = document.createElement("tr");
        tr.dataset.delivery = row.id;
        tr.dataset.state = row.state;
        tr.className = "fresh";
        const title = cell(row.title + (row.flagged ? " " + row.flag_reason : "") + " ");
        const urge = document.createElement("span");
        urge.className = "tag tag-urged";
        urge.setAttribute("data-urge", "");
        showUrge(urge, row);
        title.append(urge);
        tr.append(title, cell(row.doc_number), cell(row.sender),
          cell(row.recipient), cell(row.state_label, "state state-" + row.state), cell(row.seal_verdict),
          cell(row.state === "delivered" ? "新到，请刷新后签收" : ""));
        body.prepend(tr);
      });
    }
  }

  function renderBoard(data) {
    Object.keys(data.by_state).forEach(function (key) {
      const el = root.querySelector('[data-count="' + key + '"]');
      if (el) el.textContent = data.by_state[key];
    });
    const unsigned = root.querySelector("[data-count-unsigned]");
    if (unsigned) unsigned.textContent = data.by_state.delivered;
    const total = root.querySelector('[data-count="total"]');
    if (total) total.textContent = data.total;
    const progress = root.querySelector("[data-progress]");
    if (progress) { progress.max = data.total; progress.value = data.by_state.signed; }
    data.rows.forEach(function (row) {
      const tr = root.querySelector('tr[data-delivery="' + row.id + '"]');
      if (!tr) return;
      // The 回执 column changes without a state change too (办结回执 of a signed-for row).
      const receiptCell = tr.querySelector("[data-receipt]");
      if (receiptCell && receiptCell.textContent !== (row.receipt_text || "")) receiptCell.textContent = row.receipt_text || "";
      const urgeCell = tr.querySelector("[data-urge]");
      if (urgeCell && urgeCell.textContent !== (row.urge_text || "")) urgeCell.textContent = row.urge_text || "";
      if (row.state !== "delivered") tr.querySelectorAll("[data-urge-form]").forEach(function (f) { f.remove(); });
      if (tr.dataset.state === row.state) return;
      tr.dataset.state = row.state;
      const stateCell = tr.querySelector(".state");
      if (stateCell) { stateCell.textContent = row.state_label; stateCell.className = "state state-" + row.state; }
    });
  }

  function resync() {
    if (syncing) return syncing;
    syncing = fetch(syncUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        Object.keys(data.streams || {}).forEach(function (u) { seen[u] = Math.max(seen[u] || 0, data.streams[u]); });
        if (view === "inbox") renderInbox(data.rows); else renderBoard(data);
        root.dataset.synced = String(Date.now());
      })
      .catch(function () {})
      .finally(function () { syncing = null; });
    return syncing;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + root.dataset.socket);
    socket.onopen = function () { retry = 1000; if (liveState) liveState.dataset.state = "open"; };
    socket.onmessage = function (message) {
      let data;
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.type === "hello") {
        // Reconnected: anything newer than what the page shows means pushes were missed.
        const behind = Object.keys(data.streams).some(function (u) { return (seen[u] || 0) < data.streams[u]; });
        if (behind) resync();
      } else if (data.type === "event") {
        const unit = String(data.unit);
        if (view === "board" && data.document && String(data.document) !== root.dataset.document) {
          seen[unit] = data.seq;
          return;
        }
        seen[unit] = Math.max(seen[unit] || 0, data.seq);
        resync();
      }
    };
    socket.onclose = function (event) {
      if (liveState) liveState.dataset.state = "closed";
      if (event.code === 4401 || event.code === 4001) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
