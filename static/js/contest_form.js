/* Contest form: refresh each draw rule's "可抽 N 道" as its banks, type or category change.
   The server shows the same counts on every render, so the form works without this file. */
(function () {
  "use strict";
  var form = document.getElementById("contest-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-pool-url");
  var reviewed = form.querySelector("input[name='reviewed_only']");
  var zone = form.querySelector("input[name='timezone']");

  function field(row, suffix) { return row.querySelector("[name$='-" + suffix + "']"); }

  function query(row) {
    var params = new URLSearchParams();
    var banks = field(row, "bank");
    Array.prototype.forEach.call(banks ? banks.selectedOptions : [], function (option) {
      params.append("bank", option.value);
    });
    params.set("type", field(row, "type").value);
    params.set("category", field(row, "category").value.trim());
    params.set("reviewed_only", reviewed && reviewed.checked ? "1" : "0");
    if (zone && zone.value.trim()) { params.set("timezone", zone.value.trim()); }
    return params;
  }

  function mark(row, available) {
    var cell = row.querySelector(".pool");
    var wanted = parseInt(field(row, "count").value, 10);
    cell.textContent = available === null ? "—" : "可抽 " + available + " 道";
    cell.classList.toggle("short", available !== null && wanted > available);
    cell.setAttribute("data-available", available === null ? "" : String(available));
  }

  function refresh(row) {
    var params = query(row);
    if (!params.has("bank") || !params.get("type")) { mark(row, null); return; }
    fetch(url + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body) { mark(row, body.available); } })
      .catch(function () { /* keep the server's count */ });
  }

  var rows = form.querySelectorAll("tr[data-rule-row]");
  Array.prototype.forEach.call(rows, function (row) {
    ["bank", "type", "category"].forEach(function (suffix) {
      var input = field(row, suffix);
      if (input) { input.addEventListener("change", function () { refresh(row); }); }
    });
    var count = field(row, "count");
    count.addEventListener("input", function () {
      var cell = row.querySelector(".pool");
      var available = cell.getAttribute("data-available");
      if (available) { cell.classList.toggle("short", parseInt(count.value, 10) > parseInt(available, 10)); }
    });
  });
  if (reviewed) {
    reviewed.addEventListener("change", function () { Array.prototype.forEach.call(rows, refresh); });
  }
}());
