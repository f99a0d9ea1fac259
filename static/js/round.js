/* Comfort only: every form works without this file. Double-submit guard everywhere; on the round pages
   (play and confirm) the countdown with its warnings and the hand-in at the deadline; on the play page
   the whole paper moves without a round trip while round_queue.js saves each choice in the background. */
(function () {
  "use strict";
  var forEach = Array.prototype.forEach;
  var LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

  function release(form) {
    form.removeAttribute("data-busy");
    form.className = form.className.replace(/\s*busy/g, "");
  }
  function guard(form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-busy")) { event.preventDefault(); return; }
      form.setAttribute("data-busy", "1");
      // Later than the submit event, so the pressed button's name and value are still sent.
      setTimeout(function () { form.className += " busy"; }, 0);
      // On a slow or dropped connection let the player press again after a while.
      setTimeout(function () { release(form); }, 8000);
    });
  }
  forEach.call(document.querySelectorAll("form.once"), guard);
  window.addEventListener("pageshow", function () {
    forEach.call(document.querySelectorAll("form.once"), release);
  });

  var round = document.getElementById("round");
  var box = round || document.getElementById("clock");
  if (!box || !window.RoundQueue || !window.JSON || !window.FormData) { return; }

  function data(el, name) { return (el && el.getAttribute("data-" + name)) || ""; }
  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }
  function say(el, text, className) {
    if (!el) { return; }
    if (el.textContent !== text) { el.textContent = text; }  // unchanged text is not read out again
    el.className = text ? className : "";
  }

  // What the player sees of the queue: 已保存 / 保存中… / 离线，稍后自动保存 (and busy, stuck, waiting).
  var stateBox = document.getElementById("save-state");
  function showState(state) {
    if (!state || state === "closed") { return; }
    var calm = state === "saved" || state === "saving";
    say(stateBox, (state === "saved" ? "✓ " : calm ? "" : "⚠ ") + data(stateBox, state), calm ? "muted" : "notice");
  }
  function showWaiting() {
    // Offline, busy or stuck say more than "waiting": keep them.
    if (["offline", "busy", "stuck"].indexOf(queue.state()) < 0) { showState("waiting"); }
  }
  var csrf = document.querySelector("input[name=csrf_token]");
  var queue = window.RoundQueue({
    attempt: data(box, "attempt"), url: data(box, "save-url"), csrf: csrf ? csrf.value : "",
    retryMs: data(box, "retry-ms"), onState: showState,
    onClosed: function (url) { window.location.assign(url || window.location.href); }
  });

  // At the deadline: send what is still queued (the grace after the deadline is short), then hand in.
  var grace = Math.max((Number(data(box, "grace")) || 5) * 1000 - 1000, 1000);
  var alertBox = document.getElementById("time-alert");
  function handIn(submit) {
    var done = false;
    function go() {
      if (done) { return; }
      if (navigator.onLine === false) { say(alertBox, data(alertBox, "offline"), "flash flash-error"); return; }
      done = true;
      say(alertBox, data(alertBox, "handing-in"), "flash flash-error");
      submit();
    }
    queue.whenDrained(go);
    setTimeout(go, grace);
    window.addEventListener("online", function () { setTimeout(go, grace); });
  }

  function startClock(onZero) {
    var timer = document.getElementById("countdown");
    var deadline = Number(box.getAttribute("data-deadline"));
    // The server's clock decides: correct the countdown for a phone whose clock is off.
    var skew = Number(box.getAttribute("data-server-time")) - Date.now();
    var limit = Number(data(box, "limit")) || 0;
    var warnBox = document.getElementById("time-warning");
    var warned = 0;
    if (!timer || !deadline) { return; }
    var note = document.getElementById("deadline-note");
    if (note && data(note, "js")) { note.textContent = data(note, "js"); }  // with the script it does hand in

    function pad(n) { return (n < 10 ? "0" : "") + n; }
    var interval = setInterval(tick, 1000);
    function tick() {
      var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
      timer.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (left <= 60) { timer.parentNode.className = "timer urgent"; }
      // Words, not only red digits; a round shorter than the threshold is not warned from its start.
      if (left <= 60 && limit > 60 && warned < 2) {
        warned = 2;
        say(warnBox, "", "");
        say(alertBox, data(alertBox, "text"), "flash flash-error");
      } else if (left <= 300 && limit > 300 && warned < 1) {
        warned = 1;
        say(warnBox, data(warnBox, "text"), "flash flash-warning");
      }
      if (left === 0) { clearInterval(interval); onZero(); }
    }
    tick();
  }

  function submitNatively(form) {
    form.setAttribute("data-busy", "1");
    // The prototype's submit: a field named "submit" cannot shadow it, and no submit event re-enters.
    HTMLFormElement.prototype.submit.call(form);
  }

  if (!round) {
    // The confirm page: its list of unanswered questions is the server's, so show it again once the
    // queued choices have arrived; the button and the deadline hand in only after them.
    var handin = document.getElementById("handin");
    var submitting = false;
    if (queue.size()) {
      queue.whenDrained(function () { if (!submitting) { window.location.reload(); } });
    }
    handin.addEventListener("submit", function (event) {
      if (event.defaultPrevented) { return; }  // a second press while the first is on its way
      if (!queue.size()) { submitting = true; return; }
      event.preventDefault();
      submitting = true;
      showWaiting();
      queue.whenDrained(function () { submitNatively(handin); });
    });
    startClock(function () { submitting = true; handIn(function () { submitNatively(handin); }); });
    return;
  }

  if (!window.RoundPlay) { return; }
  window.RoundPlay(round, queue, { data: data, make: make, showState: showState, showWaiting: showWaiting,
                                   letters: LETTERS });
  startClock(function () {
    handIn(function () {
      round.elements.timeup.value = "1";
      submitNatively(round);
    });
  });
})();
