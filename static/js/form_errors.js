// After a failed registration the page reloads: move focus (and a screen reader) to the error summary,
// so that nobody thinks nothing happened. The form's action ends in #register-errors, which focuses the
// summary (it has tabindex=-1) without JavaScript too; this covers a page reached without the fragment.
(function () {
  "use strict";
  var summary = document.getElementById("register-errors");
  if (summary) {
    summary.focus();
  }
})();
