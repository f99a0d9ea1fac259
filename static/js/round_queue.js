/* The answer queue of a round (issue 12, rural networks): every choice goes into localStorage first,
   keyed by attempt, and is sent from there one at a time, with retry, until the server has it. A later
   choice for the same question replaces an earlier queued one; the queue survives a reload or a crash.
   round.js creates it; this file only defines window.RoundQueue. */
(function () {
  "use strict";
  // A failed save is tried again after retryMs, then twice as long each time, up to this.
  var MAX_RETRY_MS = 60000;
  // A request that hangs on a dying network is given up after this and counted as offline.
  var TIMEOUT_MS = 20000;

  function RoundQueue(options) {
    var key = "quizapp.answers." + options.attempt;
    var retryMs = Math.max(Number(options.retryMs) || 2000, 50);
    var memory = {};
    var storageOk = true;
    var inFlight = false;
    var timer = null;
    var failures = 0;
    var state = "";
    var waiters = [];
    var counter = 0;

    // Read again before every change: a second tab of the same round shares the queue.
    function load() {
      if (!storageOk) { return memory; }
      try { return JSON.parse(window.localStorage.getItem(key) || "{}") || {}; } catch (e) { storageOk = false; }
      return memory;
    }
    function store(items) {
      memory = items;
      if (!storageOk) { return; }
      try {
        if (oldest(items)) { window.localStorage.setItem(key, JSON.stringify(items)); }
        else { window.localStorage.removeItem(key); }
      } catch (e) { storageOk = false; }  // private mode or a full store: keep the queue in memory
    }
    function oldest(items) {
      var found = null;
      for (var id in items) {
        if (Object.prototype.hasOwnProperty.call(items, id) && (!found || items[id].t < items[found].t)) { found = id; }
      }
      return found;
    }
    function setState(next) {
      if (next === state) { return; }
      state = next;
      if (options.onState) { options.onState(next); }
    }
    function later(ms) {
      clearTimeout(timer);
      timer = setTimeout(pump, ms);
    }
    function backoff() {
      failures += 1;
      var wait = Math.min(retryMs * Math.pow(2, failures - 1), MAX_RETRY_MS);
      return wait * (1 + Math.random() * 0.5);  // a village's phones back online together must not retry in step
    }
    function drained() {
      var callbacks = waiters;
      waiters = [];
      for (var i = 0; i < callbacks.length; i += 1) { callbacks[i](); }
    }

    function send(id, entry, done) {
      var data = new FormData();
      data.append("csrf_token", options.csrf);
      data.append("action", "stay");
      data.append("attempt_id", options.attempt);
      data.append("question", id);
      for (var i = 0; i < entry.ids.length; i += 1) { data.append("choice", entry.ids[i]); }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", options.url);
      xhr.timeout = TIMEOUT_MS;
      xhr.setRequestHeader("Accept", "application/json");
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.onload = function () { done(xhr.status, xhr); };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { done(0, xhr); };
      xhr.send(data);
    }

    function closedTo(xhr) {
      try { return JSON.parse(xhr.responseText).error.result_url; } catch (e) { return null; }
    }

    function answered(id, entry, status, xhr) {
      inFlight = false;
      var items = load();
      var same = items[id] && items[id].n === entry.n;  // a newer choice made meanwhile is still to go
      if (status === 204 || status === 404 || status === 422) {
        // 404/422: the server will never take this one (not a question or option of this paper).
        if (same) { delete items[id]; store(items); }
        failures = 0;
        pump();
      } else if (status === 409) {
        store({});  // the round is over: the server's clock decided, nothing here can count any more
        setState("closed");
        if (options.onClosed) { options.onClosed(closedTo(xhr)); }
      } else if (status === 429 || status === 503) {
        setState("busy");
        var wait = Math.min(Math.max(Number(xhr.getResponseHeader("Retry-After")) || 2, 1), 60);
        later(wait * 1000 * (1 + Math.random() * 0.5));
      } else if (status === 0) {
        setState("offline");
        later(backoff());
      } else {
        // An expired page (400), a lost session (a redirect to the landing page) or a server fault.
        setState(status >= 500 ? "busy" : "stuck");
        later(backoff());
      }
    }

    function pump() {
      clearTimeout(timer);
      timer = null;
      if (inFlight || state === "closed") { return; }
      var items = load();
      var id = oldest(items);
      if (!id) { failures = 0; setState("saved"); drained(); return; }
      if (navigator.onLine === false) { setState("offline"); later(backoff()); return; }
      // While offline or busy keep saying so: retries must not flicker (and be read out) each time.
      if (state !== "offline" && state !== "busy" && state !== "stuck") { setState("saving"); }
      inFlight = true;
      var entry = items[id];
      send(id, entry, function (status, xhr) { answered(id, entry, status, xhr); });
    }

    function put(id, ids) {
      var items = load();
      counter += 1;
      items[id] = { ids: ids.slice(), t: Date.now(), n: Date.now() + "." + counter + "." + Math.random() };
      store(items);
      if (state === "busy" && timer) { return; }  // the server asked to wait: the retry carries this too
      if (state !== "offline" && state !== "stuck") { setState("saving"); }
      if (!inFlight) { pump(); }
    }

    function pending() {
      var items = load();
      var out = {};
      for (var id in items) {
        if (Object.prototype.hasOwnProperty.call(items, id)) { out[id] = items[id].ids; }
      }
      return out;
    }

    function size() {
      var count = 0;
      for (var id in load()) { count += 1; }
      return count;
    }

    // Someone waits for the queue (交卷, the deadline): try now and retry quickly, not after a long backoff.
    function whenDrained(callback) {
      waiters.push(callback);
      if (state !== "busy") { failures = 0; }
      if (!inFlight && (!timer || state !== "busy")) { pump(); }
    }

    window.addEventListener("online", function () {
      failures = 0;
      if (size() && !inFlight) { setState("saving"); pump(); }
    });
    window.addEventListener("offline", function () {
      if (size()) { setState("offline"); }
    });
    document.addEventListener("visibilitychange", function () {
      // A phone coming back from the background (or the screen lock) tries at once.
      if (document.visibilityState === "visible" && size() && !inFlight && state !== "busy") { pump(); }
    });

    return { put: put, pending: pending, size: size, pump: pump, whenDrained: whenDrained,
             state: function () { return state; } };
  }

  window.RoundQueue = RoundQueue;
})();
