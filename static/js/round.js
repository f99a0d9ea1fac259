/* Comfort only: every form works without this file. Countdown, double-submit guard, option highlight. */
(function () {
  "use strict";
  var forEach = Array.prototype.forEach;

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
  if (!round) { return; }

  // A busy server (429 launch budget, 503 database) asks to come back: save again after its
  // Retry-After plus up to half as much again (so that a crowd does not return in step), a few times.
  var busyTimer = null;
  var busyTries = 0;
  function saveLater(response) {
    if (busyTries >= 5) { return; }
    busyTries += 1;
    var wait = Math.min(Math.max(Number(response.headers.get("Retry-After")) || 2, 1), 60);
    busyTimer = setTimeout(autosave, wait * 1000 * (1 + Math.random() * 0.5));
  }

  // Save each choice the moment it is made, so that closing the page loses nothing.
  function autosave() {
    if (!window.fetch || !window.FormData) { return; }
    clearTimeout(busyTimer);  // this save carries the latest choice; a pending retry would repeat it
    var data = new FormData(round);
    data.set("action", "stay");
    // getAttribute: the form has buttons named "action", which shadow the form.action property.
    fetch(round.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) { round.elements.had.value = "1"; busyTries = 0; }
        if (response.status === 429 || response.status === 503) { saveLater(response); }
      })
      .catch(function () { /* offline: the buttons save it again */ });
  }

  round.addEventListener("change", function () {
    forEach.call(round.querySelectorAll("label.option"), function (label) {
      var input = label.querySelector("input");
      label.className = "option" + (input && input.checked ? " chosen" : "");
    });
    autosave();
  });

  var timer = document.getElementById("countdown");
  var deadline = Number(round.getAttribute("data-deadline"));
  // The server's clock decides: correct the countdown for a phone whose clock is off.
  var skew = Number(round.getAttribute("data-server-time")) - Date.now();
  if (!timer || !deadline) { return; }

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function timeUp() {
    round.elements.timeup.value = "1";
    round.setAttribute("data-busy", "1");
    HTMLFormElement.prototype.submit.call(round);
  }
  var interval = setInterval(tick, 1000);
  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
    timer.textContent = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
    if (left <= 60) { timer.parentNode.className = "timer urgent"; }
    if (left === 0) { clearInterval(interval); timeUp(); }
  }
  tick();
})();
