/* The play page with the script: the whole paper is in the page (data-paper), so 上一题, 保存并下一题 and
   the answer sheet move without a round trip; each choice goes to the queue (round_queue.js) and the
   sheet the moment it is made. round.js calls window.RoundPlay(form, queue, helpers). */
(function () {
  "use strict";
  var forEach = Array.prototype.forEach;

  function RoundPlay(round, queue, h) {
    var paper = JSON.parse(round.getAttribute("data-paper") || "[]");
    var answers = JSON.parse(round.getAttribute("data-answers") || "{}");
    var count = paper.length;
    var number = Math.min(Math.max(Number(round.getAttribute("data-number")) || 1, 1), count);
    var fieldset = document.getElementById("round-question");
    var actions = document.getElementById("actions");
    var sheet = document.getElementById("sheet");
    var sheetCount = document.getElementById("sheet-count");
    var sheetSubmit = document.getElementById("sheet-submit");
    var progress = round.querySelector(".progress");
    var pendingGo = null;
    if (!count || !fieldset || !actions || !sheet) { return; }

    function isAnswered(id) { return !!(answers[id] && answers[id].length); }
    function same(a, b) { return a.slice().sort().join(",") === b.slice().sort().join(","); }
    function checkedIds() {
      var ids = [];
      forEach.call(fieldset.querySelectorAll("input[name=choice]"), function (input) {
        if (input.checked) { ids.push(input.value); }
      });
      return ids;
    }

    function renderQuestion() {
      var q = paper[number - 1];
      var chosen = answers[q.id] || [];
      var legend = h.make("legend");
      legend.appendChild(h.make("span", "qtype", q.label));
      legend.appendChild(h.make("span", "points", q.points));
      legend.appendChild(h.make("span", "stem", q.stem));
      fieldset.textContent = "";
      fieldset.appendChild(legend);
      q.options.forEach(function (option, i) {
        var picked = chosen.indexOf(option.id) >= 0;
        var label = h.make("label", "option" + (picked ? " chosen" : ""));
        var input = h.make("input");
        input.type = q.type === "multiple" ? "checkbox" : "radio";
        input.name = "choice";
        input.value = option.id;
        input.checked = picked;
        label.appendChild(input);
        label.appendChild(h.make("span", "letter", h.letters.charAt(i)));
        label.appendChild(h.make("span", "text", option.text));
        fieldset.appendChild(label);
      });
      // The hidden fields keep the form right for the one post that still goes: the hand-in at time-up.
      round.elements.q.value = String(number);
      round.elements.question.value = q.id;
      round.elements.had.value = answers[q.id] ? "1" : "0";
      if (progress) { progress.textContent = number + " / " + count; }
      document.title = h.data(round, "title").replace("{n}", number);
    }

    function button(label, action, primary) {
      var el = h.make("button", primary ? "primary" : "", label);
      el.type = "submit";
      el.name = "action";
      el.value = action;
      return el;
    }
    var labels = JSON.parse(h.data(actions, "labels") || "{}");
    function renderActions() {
      actions.textContent = "";
      var last = number === count;
      actions.appendChild(button(labels[last ? "submit" : "next"], last ? "submit" : "next", true));
      if (number > 1) { actions.appendChild(button(labels.prev, "prev", false)); }
      if (sheetSubmit) { sheetSubmit.hidden = last; }
    }

    function renderSheet() {
      var done = 0;
      forEach.call(sheet.querySelectorAll("button.cell"), function (cell, i) {
        var filled = i < count && isAnswered(paper[i].id);
        var current = i + 1 === number;
        done += filled ? 1 : 0;
        cell.className = "cell " + (filled ? "answered" : "unanswered") + (current ? " current" : "");
        if (current) { cell.setAttribute("aria-current", "step"); } else { cell.removeAttribute("aria-current"); }
        cell.setAttribute("aria-label", h.data(sheet, "cell").replace("{n}", i + 1) + "，" +
                          h.data(sheet, filled ? "done" : "todo"));
        var mark = cell.querySelector(".mark");
        if (mark) { mark.textContent = filled ? "✓" : "·"; }
      });
      if (sheetCount) { sheetCount.textContent = h.data(sheetCount, "text").replace("{a}", done).replace("{n}", count); }
    }

    function url(n) { return window.location.pathname + "?q=" + n; }
    function go(n, push) {
      pendingGo = null;  // moving on cancels a 交卷 that was waiting for the queue
      number = Math.min(Math.max(n, 1), count);
      renderQuestion();
      renderActions();
      renderSheet();
      if (push && window.history.pushState) { window.history.pushState({ q: number }, "", url(number)); }
      window.scrollTo(0, 0);
      // Screen readers start again at the new question, as after a page load.
      try { fieldset.focus({ preventScroll: true }); } catch (e) { fieldset.focus(); }
    }

    function choose() {
      var q = paper[number - 1];
      var ids = checkedIds();
      answers[q.id] = ids;
      round.elements.had.value = "1";
      forEach.call(fieldset.querySelectorAll("label.option"), function (label) {
        var input = label.querySelector("input");
        label.className = "option" + (input && input.checked ? " chosen" : "");
      });
      renderSheet();
      queue.put(q.id, ids);
    }

    function toConfirm() {
      var target = h.data(round, "confirm-url");
      if (!queue.size()) { window.location.assign(target); return; }
      // The confirm page counts what the server has: send the queue first, then go.
      pendingGo = function () { window.location.assign(target); };
      h.showWaiting();
      queue.whenDrained(function () { if (pendingGo) { var next = pendingGo; pendingGo = null; next(); } });
    }

    round.addEventListener("change", function (event) {
      if (event.target && event.target.name === "choice") { choose(); }
    });
    round.addEventListener("click", function (event) {
      var pressed = event.target && event.target.closest ? event.target.closest("button") : null;
      if (!pressed || pressed.type !== "submit" || !round.contains(pressed)) { return; }
      event.preventDefault();
      if (round.getAttribute("data-busy")) { return; }  // handing in at time-up
      if (pressed.name === "goto") { go(Number(pressed.value), true); return; }
      var action = pressed.value;
      if (action === "submit" || (action === "next" && number >= count)) { toConfirm(); return; }
      go(action === "prev" ? number - 1 : number + 1, true);
    });
    window.addEventListener("popstate", function (event) {
      if (event.state && event.state.q) { go(Number(event.state.q), false); }
    });

    // Start: choices still queued on this phone win over what the server sent with the page.
    var queued = queue.pending();
    var current = paper[number - 1].id;
    var served = (answers[current] || []).slice();
    for (var id in queued) {
      if (Object.prototype.hasOwnProperty.call(queued, id)) { answers[id] = queued[id]; }
    }
    if (window.history.replaceState) { window.history.replaceState({ q: number }, "", url(number)); }
    if (!same(checkedIds(), served)) {
      choose();  // tapped before this script had loaded: that tap is the newest choice
    } else {
      if (queued[current]) { renderQuestion(); }
      renderSheet();
    }
    if (queue.size()) { queue.pump(); } else if (Object.keys(answers).length) { h.showState("saved"); }
  }

  window.RoundPlay = RoundPlay;
})();
