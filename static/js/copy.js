// "复制" buttons: copy the text of the element named by data-copy; hidden until this script runs,
// since without it the read-only text box can still be selected and copied by hand.
(function () {
  function copied(button, ok) {
    var status = button.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = ok ? "已复制" : "复制失败，请手动选中文字复制"; }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(function () { copied(button, true); },
          function () { copied(button, false); });
        return;
      }
      source.select();
      copied(button, document.execCommand("copy"));
    });
  });
})();
