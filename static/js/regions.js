/* Comfort only: the region select works without this file. With it, the one select (旗县区 grouped
   under their 盟市) becomes two: 盟市, then 旗县区. A hidden input carries the same value as before
   (通辽市/奈曼旗, or 呼和浩特市 for a 盟市 without 旗县区), so the server sees no difference. */
(function () {
  "use strict";
  var forEach = Array.prototype.forEach;
  var pick = document.querySelector(".region-pick");
  var original = pick && pick.querySelector("select");
  if (!original || !original.querySelector("optgroup")) { return; }

  // [{name, children: [{value, label}]}] in the order of the page; children empty for a plain 盟市.
  function readGroups(select) {
    var groups = [];
    forEach.call(select.children, function (node) {
      if (node.tagName === "OPTGROUP") {
        var children = [];
        forEach.call(node.children, function (option) {
          children.push({ value: option.value, label: option.textContent });
        });
        groups.push({ name: node.label, children: children });
      } else if (node.value) {
        groups.push({ name: node.value, children: [] });
      }
    });
    return groups;
  }

  function option(value, label, selected) {
    var node = document.createElement("option");
    node.value = value;
    node.textContent = label;
    node.selected = !!selected;
    return node;
  }

  function copyAria(from, to) {
    ["aria-invalid", "aria-describedby"].forEach(function (name) {
      if (from.hasAttribute(name)) { to.setAttribute(name, from.getAttribute(name)); }
    });
  }

  var groups = readGroups(original);
  var prompt = pick.getAttribute("data-prompt") || "";
  var field = original.parentNode;
  var chosen = original.value;

  // The 盟市 select takes the original's id, so its label and error messages stay attached to it.
  var top = document.createElement("select");
  top.id = original.id;
  copyAria(original, top);
  top.appendChild(option("", prompt, !chosen));
  groups.forEach(function (group) {
    var inGroup = group.children.some(function (child) { return child.value === chosen; });
    top.appendChild(option(group.name, group.name, chosen === group.name || inGroup));
  });

  var value = document.createElement("input");
  value.type = "hidden";
  value.name = original.name;
  value.value = chosen;

  var subField = document.createElement("div");
  subField.className = field.className;
  var subLabel = document.createElement("label");
  var sub = document.createElement("select");
  sub.id = original.id + "-sub";
  subLabel.htmlFor = sub.id;
  subLabel.textContent = pick.getAttribute("data-sub-label");
  copyAria(original, sub);
  subField.appendChild(subLabel);
  subField.appendChild(sub);

  var label = field.querySelector("label[for='" + original.id + "']");
  if (label) { label.textContent = pick.getAttribute("data-top-label"); }
  field.replaceChild(top, original);
  field.appendChild(value);
  field.parentNode.insertBefore(subField, field.nextSibling);

  function groupOf(name) {
    return groups.filter(function (group) { return group.name === name; })[0];
  }

  // Offer the chosen 盟市's 旗县区; a 盟市 without them is itself the answer and hides the second select.
  function fillSub() {
    var group = groupOf(top.value);
    var hasChildren = !!(group && group.children.length);
    subField.style.display = hasChildren ? "" : "none";
    while (sub.firstChild) { sub.removeChild(sub.firstChild); }
    if (!hasChildren) { return; }
    sub.appendChild(option("", prompt, true));
    group.children.forEach(function (child) {
      sub.appendChild(option(child.value, child.label, child.value === value.value));
    });
  }

  // Only a 盟市 with no 旗县区 chosen yet is sent as the 盟市 alone, so the server can ask for the 旗县区.
  function write() {
    value.value = sub.value || top.value;
  }

  top.addEventListener("change", function () { fillSub(); write(); });
  sub.addEventListener("change", write);
  fillSub();
})();
