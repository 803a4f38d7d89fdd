// Live alert console: Server-Sent Events refresh the rows within a second of any change in the view
// (health & safety or technical alerts), keep the tabs' open counts current, sound a WebAudio beep
// for a new (or newly upgraded) emergency (never for technical alerts), and tick the elapsed timers.
(function () {
  "use strict";
  var root = document.getElementById("alert-console");
  if (!root) return;
  var rowsUrl = root.dataset.rows;
  var category = root.dataset.category || "health";
  var text = {
    soundOn: root.dataset.textSoundOn,
    soundOff: root.dataset.textSoundOff,
    live: root.dataset.textLive,
    reconnecting: root.dataset.textReconnecting,
  };
  var state = document.getElementById("stream-state");
  var soundOn = false;
  var audio = null;

  function beep() {
    if (!soundOn) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.5].forEach(function (offset) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + offset);
        osc.stop(audio.currentTime + offset + 0.3);
      });
    } catch (e) { /* no audio device */ }
  }

  document.getElementById("sound-toggle").addEventListener("click", function (ev) {
    soundOn = !soundOn; // a click is needed before a browser lets a page play sound
    ev.target.textContent = soundOn ? text.soundOn : text.soundOff;
    if (soundOn) { beep(); }
  });

  // A refused step (400: a field missing, such as the close reason; 409: not allowed in this
  // state) answers the rows with the error naming the field: show it instead of dropping it.
  document.body.addEventListener("htmx:beforeSwap", function (ev) {
    var status = ev.detail.xhr.status;
    if ((status === 400 || status === 409) && ev.detail.target && ev.detail.target.id === "alert-rows") {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });

  var pending = null;
  function refresh() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      window.htmx.ajax("GET", rowsUrl, { target: "#alert-rows", swap: "outerHTML" });
    }, 150);
  }

  function isNewEmergency(data) {
    return (data.kind === "opened" || data.kind === "upgraded") && data.alert.severity === "emergency";
  }

  var source = new EventSource(root.dataset.stream);
  source.addEventListener("hello", function () { state.textContent = text.live; state.className = "badge bg-success"; });
  source.addEventListener("alert", function (message) {
    var data = JSON.parse(message.data);
    // The stream sends only the alerts of this view; technical alerts never sound.
    if (data.alert.category !== "technical" && isNewEmergency(data)) { beep(); }
    refresh();
  });
  source.addEventListener("counts", function (message) {
    var data = JSON.parse(message.data);
    document.querySelectorAll("[data-count-for]").forEach(function (badge) {
      var n = data[badge.dataset.countFor];
      if (typeof n === "number") { badge.textContent = n; }
    });
    // A fall or SOS while watching the technical view still sounds.
    if (data.emergency && category !== "health") { beep(); }
  });
  source.onerror = function () { state.textContent = text.reconnecting; state.className = "badge bg-warning text-dark"; };

  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  setInterval(function () {
    var now = Date.now();
    document.querySelectorAll("[data-opened-at]").forEach(function (cell) {
      var s = Math.max(0, Math.floor((now - Date.parse(cell.dataset.openedAt)) / 1000));
      var h = Math.floor(s / 3600);
      cell.textContent = (h ? h + ":" : "") + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    });
  }, 1000);
})();
