// The kiosk: the on-screen keypad for the IIN, the clock, the return to the start after a
// ticket (or after a visitor walks away half-way), so that nothing personal stays on the
// screen. Pages change through htmx's boost; this file is loaded once.
(function () {
  "use strict";

  var IIN_LENGTH = 12;
  var timers = [];

  function page() {
    return document.getElementById("kiosk") || document.body;
  }

  function startUrl() {
    return page().getAttribute("data-start-url") || "/";
  }

  function goToStart() {
    window.location.assign(startUrl());
  }

  function clearTimers() {
    timers.forEach(function (id) { clearInterval(id); clearTimeout(id); });
    timers = [];
  }

  function showClock() {
    var clock = document.querySelector("[data-clock]");
    if (!clock) return;
    var zone = page().getAttribute("data-timezone") || undefined;
    var format;
    try {
      format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone
      });
    } catch (error) {
      format = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
    }
    var tick = function () { clock.textContent = format.format(new Date()); };
    tick();
    timers.push(setInterval(tick, 10000));
  }

  // After a ticket: count down, then back to the start.
  function returnAfter(screen) {
    var seconds = parseInt(screen.getAttribute("data-return-after"), 10);
    if (!seconds) return;
    var shown = document.querySelector("[data-countdown]");
    var left = seconds;
    timers.push(setInterval(function () {
      left -= 1;
      if (shown) shown.textContent = String(Math.max(left, 0));
      if (left <= 0) goToStart();
    }, 1000));
  }

  // Half-way through and nobody touches the screen: back to the start.
  var lastTouch = Date.now();
  function touched() { lastTouch = Date.now(); }
  document.addEventListener("pointerdown", touched, { passive: true });
  document.addEventListener("keydown", touched);

  function idleAfter(screen) {
    var seconds = parseInt(screen.getAttribute("data-idle-after"), 10);
    if (!seconds) return;
    touched();
    timers.push(setInterval(function () {
      if (Date.now() - lastTouch > seconds * 1000) goToStart();
    }, 1000));
  }

  function init() {
    clearTimers();
    showClock();
    var screen = document.getElementById("screen");
    if (!screen) return;
    returnAfter(screen);
    idleAfter(screen);
  }

  // The keypad writes into the IIN field: digits, delete the last, clear.
  document.addEventListener("click", function (event) {
    var key = event.target.closest ? event.target.closest("[data-key]") : null;
    if (!key) return;
    var field = document.getElementById("iin");
    if (!field) return;
    var value = field.value.replace(/\D/g, "");
    var pressed = key.getAttribute("data-key");
    if (pressed === "back") value = value.slice(0, -1);
    else if (pressed === "clear") value = "";
    else if (value.length < IIN_LENGTH) value += pressed;
    field.value = value;
    field.removeAttribute("aria-invalid");
  });

  // A physical keyboard (or a typing test) keeps the field to digits too.
  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "iin") {
      event.target.value = event.target.value.replace(/\D/g, "").slice(0, IIN_LENGTH);
    }
  });

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
