// 获取验证码 (IDENTITY_VERIFICATION=sms): without this script the button sends the whole form back and the
// page says what happened. With it, the phone goes to the page's own JSON endpoint in the background,
// so nothing typed is lost, and the button counts down until another code may be asked for.
(function () {
  "use strict";
  var button = document.getElementById("send-code");
  var status = document.getElementById("sms-status");
  if (!button || !status || !window.fetch || !window.FormData) {
    return;
  }
  var form = button.form;
  var label = button.textContent;
  var timer = null;
  button.type = "button"; // no longer a submit button: Enter in a field must not send a code

  function say(text, failed) {
    // role=status (aria-live=polite): a screen reader hears each new line once.
    status.textContent = text;
    status.className = failed ? "error" : "notice";
  }

  function countdown(seconds, after) {
    var left = seconds;
    button.disabled = true;
    function tick() {
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = button.getAttribute("data-again");
        if (after) {
          say(after, false);
        }
        return;
      }
      // Only the button ticks; the live status is not changed every second (a screen reader would
      // read out every number).
      button.textContent = button.getAttribute("data-wait").replace("{n}", String(left));
      left -= 1;
    }
    clearInterval(timer);
    tick();
    timer = setInterval(tick, 1000);
  }

  function answered(response) {
    return response.json().then(function (data) {
      return {ok: response.ok, data: data || {}, retry: parseInt(response.headers.get("Retry-After"), 10)};
    });
  }

  function done(result) {
    var code = form.elements.code;
    if (result.ok) {
      var wait = result.data.resend_after_seconds || 60;
      say(result.data.message + "，" + button.getAttribute("data-wait").replace("{n}", String(wait)), false);
      countdown(wait, result.data.message + "。" + button.getAttribute("data-resend"));
      if (code) {
        code.focus(); // the next thing to do; the disabled button could not keep the focus anyway
      }
      return;
    }
    var error = result.data.error || {};
    var fields = error.fields || {};
    // A bad phone: the field's own reason (请填写正确的 11 位手机号码), not the envelope's "phone: …".
    say(fields.phone || error.message || button.getAttribute("data-offline"), true);
    if (error.code === "sms_throttled" && result.retry > 0) {
      countdown(result.retry, null);
      if (code) {
        code.focus();
      }
    } else {
      button.disabled = false;
      button.textContent = label;
      // Disabling the button took the focus away: give it back where the person can act.
      if (fields.phone && form.elements.phone) {
        form.elements.phone.focus();
      } else {
        button.focus();
      }
    }
  }

  button.addEventListener("click", function () {
    var body = new FormData();
    body.append("phone", form.elements.phone ? form.elements.phone.value : "");
    if (form.elements.csrf_token) {
      body.append("csrf_token", form.elements.csrf_token.value);
    }
    button.disabled = true;
    say(button.getAttribute("data-sending"), false);
    fetch(button.getAttribute("data-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: {"Accept": "application/json"}
    }).then(answered).then(done, function () {
      done({ok: false, data: {}, retry: 0});
    });
  });
})();
