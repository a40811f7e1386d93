// The display board in the hall. Polls the centre's board snapshot every second with
// If-None-Match (a 304 costs the server almost nothing), redraws only when it changed,
// rings a chime for each new call (generated with the Web Audio API) and, with ?speech=1,
// reads the call out in Kazakh, then Russian. Sound and speech are extras: without a voice,
// an audio device or the permission to play, the board keeps showing the calls.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("board-config").textContent);
  var rows = document.querySelector("[data-rows]");
  var waiting = document.querySelector("[data-waiting]");
  var empty = document.querySelector("[data-empty]");
  var clock = document.querySelector("[data-clock]");
  var offline = document.querySelector("[data-offline]");
  var soundButton = document.querySelector("[data-sound]");

  var POLL_MS = 1000;
  var etag = null;
  var failures = 0;
  var skew = 0; // the server's clock minus this screen's, in milliseconds
  var seen = {};

  function keyOf(item) {
    // A recall is a new call to announce when the snapshot counts recalls.
    return item.number + "|" + item.called_at + (item.recalls ? "|" + item.recalls : "");
  }

  Array.prototype.forEach.call(rows.querySelectorAll("[data-key]"), function (row) {
    seen[row.getAttribute("data-key")] = true;
  });

  // ---------------------------------------------------------------- clock
  var timeFormat;
  try {
    timeFormat = new Intl.DateTimeFormat(config.language, {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone: config.timezone
    });
  } catch (error) {
    timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  }
  function showTime() {
    clock.textContent = timeFormat.format(new Date(Date.now() + skew));
  }
  showTime();
  setInterval(showTime, 1000);

  // ---------------------------------------------------------------- sound
  var audio = null;
  function audioContext() {
    if (audio) return audio;
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    try { audio = new Context(); } catch (error) { audio = null; }
    return audio;
  }

  function unlockSound() {
    var context = audioContext();
    if (context && context.state === "suspended") {
      context.resume().then(updateSoundButton, function () {});
    }
    updateSoundButton();
  }

  function updateSoundButton() {
    var context = audioContext();
    soundButton.hidden = !context || context.state !== "suspended";
  }

  // A two-note bell: each note a sine with a quieter octave above, fading out.
  function chime() {
    var context = audioContext();
    if (!context) return;
    try {
      if (context.state === "suspended") context.resume().catch(function () {});
      var start = context.currentTime + 0.05;
      var master = context.createGain();
      master.gain.value = 0.5;
      master.connect(context.destination);
      [[880, 0], [659.25, 0.5]].forEach(function (note) {
        [[1, 0.6], [2, 0.15]].forEach(function (partial) {
          var oscillator = context.createOscillator();
          var gain = context.createGain();
          var at = start + note[1];
          oscillator.type = "sine";
          oscillator.frequency.value = note[0] * partial[0];
          gain.gain.setValueAtTime(0.0001, at);
          gain.gain.exponentialRampToValueAtTime(partial[1], at + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, at + 1.4);
          oscillator.connect(gain);
          gain.connect(master);
          oscillator.start(at);
          oscillator.stop(at + 1.5);
        });
      });
    } catch (error) { /* no sound device: the screen still shows the call */ }
  }

  function speak(items) {
    if (!config.speech) return;
    var synth = window.speechSynthesis;
    if (!synth || typeof window.SpeechSynthesisUtterance !== "function") return;
    try {
      var voices = synth.getVoices() || [];
      items.forEach(function (item) {
        Object.keys(config.announcements).forEach(function (language) {
          var text = config.announcements[language]
            .replace("{number}", item.number)
            .replace("{window}", String(item.window));
          var utterance = new window.SpeechSynthesisUtterance(text);
          utterance.lang = language;
          utterance.rate = 0.9;
          var prefix = language.slice(0, 2).toLowerCase();
          for (var i = 0; i < voices.length; i += 1) {
            if ((voices[i].lang || "").toLowerCase().indexOf(prefix) === 0) {
              utterance.voice = voices[i];
              break;
            }
          }
          synth.speak(utterance);
        });
      });
    } catch (error) { /* no voices here: the chime and the screen are enough */ }
  }

  function announce(items) {
    chime();
    setTimeout(function () { speak(items); }, 1200);
  }

  // ---------------------------------------------------------------- drawing
  function row(item, index, isNew) {
    var li = document.createElement("li");
    li.className = "board-row status-" + item.status + (index === 0 ? " is-latest" : "") + (isNew ? " is-new" : "");
    li.setAttribute("data-key", keyOf(item));
    var number = document.createElement("span");
    number.className = "board-number";
    number.textContent = item.number;
    var arrow = document.createElement("span");
    arrow.className = "board-arrow";
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "→";
    var windowNumber = document.createElement("span");
    windowNumber.className = "board-window";
    windowNumber.textContent = String(item.window);
    li.appendChild(number);
    li.appendChild(arrow);
    li.appendChild(windowNumber);
    return li;
  }

  function render(data) {
    var called = data.called || [];
    var fresh = [];
    var current = {};
    called.forEach(function (item) {
      var key = keyOf(item);
      current[key] = true;
      if (!seen[key]) fresh.push(item);
    });
    var items = document.createDocumentFragment();
    called.forEach(function (item, index) {
      items.appendChild(row(item, index, fresh.indexOf(item) !== -1));
    });
    rows.replaceChildren(items);
    rows.classList.toggle("two-columns", called.length > 6);
    empty.hidden = called.length > 0;
    waiting.textContent = String(data.waiting);
    seen = current;
    if (fresh.length) announce(fresh.slice().reverse()); // the oldest call is read first
  }

  // ---------------------------------------------------------------- polling
  function poll() {
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(config.url, { headers: headers, cache: "no-store", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("board: " + response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        offline.hidden = true;
        if (data) {
          if (data.now) skew = new Date(data.now).getTime() - Date.now();
          render(data);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures >= 3) offline.hidden = false;
      })
      .then(function () {
        setTimeout(poll, failures ? Math.min(POLL_MS * Math.pow(2, failures), 10000) : POLL_MS);
      });
  }

  document.addEventListener("click", unlockSound);
  document.addEventListener("keydown", unlockSound);
  audioContext();
  updateSoundButton();
  poll();
})();
