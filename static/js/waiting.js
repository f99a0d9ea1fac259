/* The 排队中 screen: count down Retry-After plus a random share of it, then send the same form (or load
   the same page) again by itself. The page works without this file: 再试一次 does the same by hand. */
(function () {
  "use strict";
  // After this many automatic tries in a row only the button is left: a crowd that does not thin
  // out must not keep every waiting phone knocking.
  var MAX_TRIES = 8;
  // While someone is typing into the form, the retry waits until they have paused this long.
  var TYPING_PAUSE_MS = 3000;

  var panel = document.getElementById("waiting");
  var status = document.getElementById("waiting-status");
  if (!panel || !status) { return; }
  var form = document.getElementById(panel.getAttribute("data-form") || "");
  var next = panel.getAttribute("data-next");
  var tries = Number(panel.getAttribute("data-tries")) || 0;
  var wait = Math.max(Number(panel.getAttribute("data-wait")) || 5, 1);

  function say(name) { status.textContent = panel.getAttribute("data-" + name); }
  if (tries >= MAX_TRIES || !(form || next)) { say("stopped"); return; }

  // +0–50 %: the people turned away in one second should not all come back in the same second.
  var left = Math.ceil(wait * (1 + Math.random() * 0.5));
  var typedAt = 0;
  document.addEventListener("input", function () { typedAt = Date.now(); }, true);
  document.addEventListener("change", function () { typedAt = Date.now(); }, true);

  function retry() {
    say("retrying");
    if (next) { window.location.replace(next); return; }
    var count = document.createElement("input");
    count.type = "hidden";
    count.name = "retry_count";
    count.value = String(tries + 1);
    form.appendChild(count);
    // The prototype's submit: a field named "submit" cannot shadow it, and no submit event re-enters.
    HTMLFormElement.prototype.submit.call(form);
  }

  function tick() {
    if (left > 0) {
      status.textContent = panel.getAttribute("data-counting").replace("{n}", left);
      left -= 1;
      setTimeout(tick, 1000);
    } else if (Date.now() - typedAt < TYPING_PAUSE_MS) {
      // Never send a form from under someone's fingers; focus and what they type stay put.
      say("typing");
      setTimeout(tick, 1000);
    } else {
      retry();
    }
  }
  tick();
})();
