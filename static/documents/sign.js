// 领导签批: a handwriting pad on pointer events (finger, pen with pressure, mouse), undo/clear, common
// opinions, one-tap 同意, and page zoom. Strokes are kept as [x, y, pressure, ms] points and sent with a
// PNG of the pad; the server binds both to the hash of the exact version shown on this page.
(function () {
  "use strict";
  var pad = document.getElementById("sign-pad");
  var form = document.getElementById("sign-form");
  if (!pad || !form) return;
  var ctx = pad.getContext("2d");
  var strokes = [];
  var current = null;
  var started = 0;

  function resize() {
    var ratio = window.devicePixelRatio || 1;
    var rect = pad.getBoundingClientRect();
    pad.width = Math.round(rect.width * ratio);
    pad.height = Math.round(rect.height * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    redraw();
  }

  function pointOf(event) {
    var rect = pad.getBoundingClientRect();
    var pressure = event.pressure && event.pointerType !== "mouse" ? event.pressure : 0.5;
    return [event.clientX - rect.left, event.clientY - rect.top, pressure, Date.now() - started];
  }

  function drawSegment(a, b) {
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 1 + 4 * b[2];
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  function redraw() {
    ctx.clearRect(0, 0, pad.width, pad.height);
    strokes.forEach(function (stroke) {
      if (stroke.length === 1) drawSegment(stroke[0], stroke[0]);
      for (var i = 1; i < stroke.length; i++) drawSegment(stroke[i - 1], stroke[i]);
    });
  }

  pad.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    if (!started) started = Date.now();
    try { pad.setPointerCapture(event.pointerId); } catch (e) { /* synthetic pointers have no capture */ }
    current = [pointOf(event)];
    strokes.push(current);
    drawSegment(current[0], current[0]);
  });
  pad.addEventListener("pointermove", function (event) {
    if (!current) return;
    event.preventDefault();
    var point = pointOf(event);
    drawSegment(current[current.length - 1], point);
    current.push(point);
  });
  function end() { current = null; }
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  document.getElementById("sign-undo").addEventListener("click", function () { strokes.pop(); redraw(); });
  document.getElementById("sign-clear").addEventListener("click", function () { strokes = []; redraw(); });

  var opinion = document.getElementById("sign-opinion");
  document.querySelectorAll("[data-opinion]").forEach(function (button) {
    button.addEventListener("click", function () { opinion.value = button.getAttribute("data-opinion"); });
  });

  form.addEventListener("submit", function () {
    if (strokes.length) {
      document.getElementById("sign-strokes").value = JSON.stringify(strokes);
      document.getElementById("sign-png").value = pad.toDataURL("image/png");
    }
  });
  document.getElementById("sign-agree").addEventListener("click", function () {
    if (!opinion.value) opinion.value = "同意";
    form.requestSubmit();
  });

  var img = document.getElementById("sign-page-img");
  var zoom = 1;
  document.querySelectorAll("[data-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      zoom = Math.min(3, Math.max(0.5, zoom + 0.25 * Number(button.getAttribute("data-zoom"))));
      if (img) img.style.width = (zoom * 100) + "%";
    });
  });

  window.addEventListener("resize", resize);
  resize();
  pad.setAttribute("data-ready", "1"); // the pad takes strokes from here on (browser tests wait for it)
})();
