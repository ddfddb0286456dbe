/* Room screen: fetch a fresh signed sign-in token every few seconds (each lives 30 s) and redraw the QR code. */
(function () {
  "use strict";
  var screen = document.querySelector("[data-token-url]");
  if (!screen) {
    return;
  }
  var url = screen.getAttribute("data-token-url");
  var qr = screen.querySelector("[data-qr]");
  var expires = screen.querySelector("[data-expires]");
  var signed = screen.querySelector("[data-signed-in]");
  var link = screen.querySelector("[data-signin-url]");
  var parser = new DOMParser();

  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var svg = parser.parseFromString(data.svg, "image/svg+xml").documentElement;
        qr.replaceChildren(document.importNode(svg, true));
        if (expires) { expires.textContent = String(data.expires_in); }
        if (signed) { signed.textContent = String(data.signed_in); }
        if (link) { link.setAttribute("href", data.url); }
        setTimeout(tick, Math.max(1, Math.min(5, data.expires_in)) * 1000);
      })
      .catch(function () { setTimeout(tick, 5000); });
  }

  tick();
})();
