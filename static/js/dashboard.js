/* Contest dashboard: Chart.js drawings of the figures the server already shows as tables, a
   refresh of #figures every data-refresh-seconds while the tab is visible, and the confirm
   question on full-export links. Without this file (or without Chart.js) the tables remain.

   Refresh hook: the interval is read from #figures' data-refresh-seconds on every use, never
   cached, and a visibilitychange to "visible" refreshes at once when the figures are older than
   that interval. A test may therefore set data-refresh-seconds to 1, wait a second and dispatch
   visibilitychange instead of waiting 45 s; nothing is exposed on window. */
(function () {
  "use strict";

  var PALETTE = {
    ink: "#14181f", muted: "#4a5362", grid: "#e1e5ea",
    slate: "#44617f", slateLight: "#9fb3c8", green: "#0b5d3b",
    funnel: ["#9fb3c8", "#7f97b0", "#5f7b98", "#44617f", "#2c4560"]
  };
  var FONT = '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';
  var MIN_SECONDS = 1;
  var REGION_LIMIT = 15;
  var FAILED = "刷新失败，将在下次重试";

  var figures = document.getElementById("figures");
  var charts = [];
  var state = { lastAttempt: Date.now(), timer: null, busy: false, stopped: false };

  /** The refresh interval in milliseconds, read from the page each time (see the hook above). */
  function intervalMs() {
    var seconds = parseFloat(figures.getAttribute("data-refresh-seconds"));
    return Math.max(MIN_SECONDS, isFinite(seconds) ? seconds : 45) * 1000;
  }

  /** The stats body from the JSON island inside #figures, or null. */
  function readStats() {
    var island = figures.querySelector("#stats-data");
    if (!island) { return null; }
    try { return JSON.parse(island.textContent); } catch (error) { return null; }
  }

  /** A number in zh-CN grouping (1,234). */
  function grouped(value) {
    return Number(value).toLocaleString("zh-CN");
  }

  /** Options shared by every chart: no animation, the container's height, console colours. */
  function baseOptions(horizontal, legend) {
    var valueAxis = {
      beginAtZero: true, grid: { color: PALETTE.grid },
      ticks: { color: PALETTE.muted, precision: 0, callback: grouped }
    };
    var labelAxis = { grid: { display: false }, ticks: { color: PALETTE.ink, autoSkip: !horizontal } };
    return {
      animation: false, responsive: true, maintainAspectRatio: false,
      indexAxis: horizontal ? "y" : "x",
      scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        legend: { display: legend, position: "bottom", labels: { color: PALETTE.ink, boxWidth: 14 } },
        tooltip: { callbacks: { label: tooltipLabel } }
      }
    };
  }

  /** Tooltip line "登记人数：1,234". */
  function tooltipLabel(item) {
    var value = item.parsed[item.chart.options.indexAxis === "y" ? "x" : "y"];
    return (item.dataset.label ? item.dataset.label + "：" : "") + grouped(value);
  }

  /** A bar dataset in one colour. */
  function bars(label, data, colour) {
    return { type: "bar", label: label, data: data, backgroundColor: colour, borderWidth: 0, maxBarThickness: 36 };
  }

  /** Day chart: registrations and first finishes per day ("11-20" labels). */
  function daysConfig(stats) {
    var days = stats.by_day || [];
    return {
      type: "bar",
      data: {
        labels: days.map(function (d) { return String(d.day).slice(5); }),
        datasets: [bars("登记人数", days.map(function (d) { return d.participants; }), PALETTE.slateLight),
                   bars("完成人数", days.map(function (d) { return d.finished; }), PALETTE.slate)]
      },
      options: baseOptions(false, true)
    };
  }

  /** Running totals of a list of numbers. */
  function cumulative(values) {
    var sum = 0;
    return values.map(function (value) { sum += value; return sum; });
  }

  /** Hour chart: today's registrations per hour (bars) and today's running total (line, right axis). */
  function hoursConfig(stats) {
    var today = stats.today_by_hour || [];
    var counts = today.map(function (h) { return h.participants; });
    var options = baseOptions(false, true);
    options.scales.x.ticks.maxRotation = 0;  // 24 upright labels, thinned by autoSkip
    options.scales.total = {
      position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
      ticks: { color: PALETTE.muted, precision: 0, callback: grouped },
      title: { display: true, text: "今日累计", color: PALETTE.muted }
    };
    return {
      type: "bar",
      data: {
        labels: today.map(function (h, index) { return (h.hour !== undefined ? h.hour : index) + "时"; }),
        datasets: [bars("今天登记（每小时）", counts, PALETTE.slate),
                   { type: "line", label: "今日累计", data: cumulative(counts), yAxisID: "total",
                     borderColor: PALETTE.green, backgroundColor: PALETTE.green, borderWidth: 2,
                     pointRadius: 0, stepped: false, tension: 0 }]
      },
      options: options
    };
  }

  /** Region chart: participants of the top 15 regions (盟市 totals when the contest has them). */
  function regionsConfig(stats) {
    var rows = (stats.by_region_top && stats.by_region_top.length ? stats.by_region_top : stats.by_region || [])
      .slice(0, REGION_LIMIT);
    return {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.region || "（未填地区）"; }),
        datasets: [bars("参赛人数", rows.map(function (r) { return r.participants; }), PALETTE.slate)]
      },
      options: baseOptions(true, false)
    };
  }

  /** Funnel chart: 扫码 → 登记 → 完成 → 获得抽奖资格 → 中奖 over the whole contest. */
  function funnelConfig(stats) {
    var t = stats.totals || {};
    var dataset = bars("人数", [t.scans, t.participants, t.finished, t.eligible, t.winners].map(Number), PALETTE.funnel);
    return {
      type: "bar",
      data: { labels: ["扫码", "登记", "完成", "获得抽奖资格", "中奖"], datasets: [dataset] },
      options: baseOptions(true, false)
    };
  }

  /** Score-band chart: finishers per band of best scores ("40–44"). */
  function bandsConfig(stats) {
    var bands = stats.score_bands || [];
    return {
      type: "bar",
      data: {
        labels: bands.map(function (b) { return b.from + "–" + b.to; }),
        datasets: [bars("人数", bands.map(function (b) { return b.count; }), PALETTE.slate)]
      },
      options: baseOptions(false, false)
    };
  }

  var BUILDERS = { days: daysConfig, hours: hoursConfig, regions: regionsConfig, funnel: funnelConfig, bands: bandsConfig };

  /** Remove every chart drawn so far (before new canvases replace theirs). */
  function destroyCharts() {
    charts.forEach(function (chart) { try { chart.destroy(); } catch (error) { /* already gone */ } });
    charts = [];
  }

  /** Draw one .chart container from the stats; a failure leaves it hidden and its table visible. */
  function drawOne(container, stats) {
    var build = BUILDERS[container.getAttribute("data-chart")];
    var canvas = container.querySelector("canvas");
    if (!build || !canvas) { return; }
    try {
      container.classList.add("drawn");  // first, so that Chart.js measures a displayed box
      charts.push(new window.Chart(canvas, build(stats)));
    } catch (error) {
      container.classList.remove("drawn");
    }
  }

  /** Draw every chart of #figures from its JSON island. */
  function drawAll() {
    destroyCharts();
    var stats = readStats();
    if (!stats || !window.Chart) { return; }
    Array.prototype.forEach.call(figures.querySelectorAll(".chart[data-chart]"), function (container) {
      drawOne(container, stats);
    });
  }

  /** Apply the console's font and colours to Chart.js once. */
  function setDefaults() {
    window.Chart.defaults.font.family = FONT;
    window.Chart.defaults.font.size = 13;
    window.Chart.defaults.color = PALETTE.ink;
  }

  /** Put a short note (text, with an optional link) at the end of the .freshness paragraph. */
  function showNote(text, link) {
    var paragraph = figures.querySelector(".freshness");
    if (!paragraph) { return; }
    var note = paragraph.querySelector(".refresh-note") || document.createElement("strong");
    note.className = "refresh-note";
    note.textContent = text;
    if (link) {
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      note.appendChild(anchor);
    }
    paragraph.appendChild(note);
  }

  /** The sign-in page to offer when the session has ended. */
  function loginUrl(response) {
    if (response.redirected && response.url) { return response.url; }
    var path = window.location.pathname;
    return path.replace(/\/admin\/.*$/, "/admin/login") + "?next=" + encodeURIComponent(path);
  }

  /** Whether the response says the console session has ended. */
  function signedOut(response) {
    return response.status === 401 || (response.redirected && response.url.indexOf("/admin/login") !== -1);
  }

  /** Stop refreshing and offer a fresh sign-in. */
  function stopForLogin(response) {
    state.stopped = true;
    window.clearTimeout(state.timer);
    showNote("登录已过期，请", { href: loginUrl(response), text: "重新登录" });
  }

  /** The scroll offsets of the table boxes, to keep the reader's place across a refresh. */
  function scrollOffsets() {
    return Array.prototype.map.call(figures.querySelectorAll(".scroll"), function (box) { return box.scrollTop; });
  }

  /** Restore the offsets taken by scrollOffsets(). */
  function restoreOffsets(offsets) {
    Array.prototype.forEach.call(figures.querySelectorAll(".scroll"), function (box, index) {
      if (offsets[index]) { box.scrollTop = offsets[index]; }
    });
  }

  /** Swap #figures' content for the fetched page's and redraw; false if the page has no figures. */
  function replaceFigures(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("figures");
    if (!fresh) { return false; }
    var offsets = scrollOffsets();
    destroyCharts();
    figures.innerHTML = fresh.innerHTML;
    restoreOffsets(offsets);
    drawAll();
    return true;
  }

  /** Fetch the page again and take its figures; failures leave the old ones with a note. */
  function refresh() {
    if (state.busy || state.stopped) { return Promise.resolve(); }
    state.busy = true;
    state.lastAttempt = Date.now();
    var source = figures.getAttribute("data-source") || window.location.pathname;
    return fetch(source, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (signedOut(response)) { stopForLogin(response); return; }
        if (!response.ok) { showNote(FAILED); return; }
        return response.text().then(function (html) { if (!replaceFigures(html)) { showNote(FAILED); } });
      })
      .catch(function () { showNote(FAILED); })
      .then(function () { state.busy = false; schedule(); });
  }

  /** Whether the figures are older than the interval. */
  function stale() {
    return Date.now() - state.lastAttempt >= intervalMs();
  }

  /** Arm the next timed refresh; a hidden tab waits for visibilitychange instead. */
  function schedule() {
    window.clearTimeout(state.timer);
    if (state.stopped) { return; }
    state.timer = window.setTimeout(function () {
      if (document.visibilityState === "visible") { refresh(); }
    }, intervalMs());
  }

  /** On becoming visible, refresh at once if the figures are stale. */
  function onVisibility() {
    if (document.visibilityState === "visible" && stale()) { refresh(); }
  }

  /** Ask before a [data-confirm] link is followed; a refusal cancels the navigation. */
  function onClick(event) {
    var link = event.target.closest ? event.target.closest("a[data-confirm]") : null;
    if (link && !window.confirm(link.getAttribute("data-confirm"))) { event.preventDefault(); }
  }

  /** Wire everything up; any failure here leaves the server-rendered page as it is. */
  function start() {
    document.addEventListener("click", onClick);
    if (!figures) { return; }
    if (window.Chart) {
      setDefaults();
      drawAll();
    }
    if (!window.fetch || !window.DOMParser) { return; }
    document.addEventListener("visibilitychange", onVisibility);
    schedule();
  }

  try { start(); } catch (error) { /* never throw to the console: the tables remain */ }
}());
