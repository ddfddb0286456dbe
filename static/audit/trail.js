// Polls the running chain verification and shows its progress (no inline script: CSP script-src 'self').
(function () {
  "use strict";
  var box = document.querySelector(".audit-progress");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".audit-progress-text");

  function show(run) {
    bar.value = run.percent;
    bar.textContent = run.percent + "%";
    text.textContent = run.finished ? run.message : run.status_label + "：已校验 " + run.checked + " / " + run.total + " 条";
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (run) {
        show(run);
        if (!run.finished) { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
