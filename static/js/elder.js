/* Comfort only: the 长辈模式 switch works as a plain form without this file. With it the page switches
   in place, so that nothing typed into a form is lost and no page is loaded again on a slow network. */
(function () {
  "use strict";

  function wire(form) {
    var button = form.querySelector("button[name=elder]");
    var state = button && button.querySelector(".state");
    if (!button || !window.fetch || !window.FormData) { return; }

    function show(on) {
      document.documentElement.classList.toggle("elder", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.value = on ? "0" : "1";  // the next press asks for the other mode
      if (state) { state.textContent = form.getAttribute(on ? "data-on" : "data-off"); }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var on = button.value === "1";
      var data = new FormData(form);
      data.set("elder", button.value);
      data.set("js", "1");
      show(on);  // at once: the cookie only has to follow
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin" }).then(function (response) {
        if (response.status !== 204) { throw new Error("elder-mode " + response.status); }
      }).catch(function () {
        // The cookie could not be set: let the plain form do it (the server redirects back here).
        // form.submit() sends no button, so the wanted mode goes in a field of its own.
        show(!on);
        var field = document.createElement("input");
        field.type = "hidden";
        field.name = "elder";
        field.value = on ? "1" : "0";
        form.appendChild(field);
        form.submit();
      });
    });
  }

  var forms = document.querySelectorAll("form.elder-switch");
  for (var i = 0; i < forms.length; i += 1) { wire(forms[i]); }
}());
