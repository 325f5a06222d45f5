// Embedded Signup on /admin/numbers: loads Meta's SDK on demand, runs FB.login with the configuration,
// collects the code (login callback) and the WABA and phone number ids (session-logging message event),
// then hands them to the server, which does the rest (core/numbers/embedded-signup.ts).
(function () {
  'use strict';
  var form = document.getElementById('embedded-signup');
  var configElement = document.getElementById('embedded-signup-config');
  var status = document.getElementById('embedded-signup-status');
  var csrfInput = document.querySelector('input[name="csrf"]');
  if (!form || !configElement || !status || !csrfInput) return;
  var config = JSON.parse(configElement.textContent);
  var button = form.querySelector('button');
  var pinInput = document.getElementById('signup-pin');
  var pending = null; // { code, wabaId, phoneNumberId, pin } filled from both of Meta's answers

  function say(text, isError) {
    status.className = isError ? 'notice notice-error' : 'notice';
    status.textContent = text;
  }

  function finish(text, isError) {
    say(text, isError);
    button.disabled = false;
    pending = null;
  }

  function submitWhenComplete() {
    if (!pending || !pending.code || !pending.wabaId) return;
    var body = { code: pending.code, waba_id: pending.wabaId, phone_number_id: pending.phoneNumberId };
    if (pending.pin) body.pin = pending.pin;
    say('Connecting the number: exchanging the code, subscribing to webhooks, registering the number…');
    fetch('/admin/numbers/embedded-signup', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfInput.value },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (answer) { return { ok: res.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok) {
        var error = result.answer.error || {};
        finish('Failed at step "' + (error.step || 'request') + '": ' + (error.message || 'unknown error') + ' (' + (error.code || 'ERROR') + ')', true);
        return;
      }
      var text = 'Connected ' + result.answer.number.name + '.';
      if (result.answer.generated_pin) text += ' Its two-step verification PIN is ' + result.answer.generated_pin + ': write it down now, it is not shown again.';
      finish(text + ' Reload the page to see its health.', false);
    }).catch(function () {
      finish('The server did not answer. Check the connection and try again.', true);
    });
  }

  // Session logging: Meta posts the flow's outcome to this window from a facebook.com origin.
  window.addEventListener('message', function (event) {
    if (!/^https:\/\/([a-z0-9-]+\.)*facebook\.com$/.test(event.origin)) return;
    var data;
    try {
      data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    } catch {
      return; // not Meta's JSON
    }
    if (!data || data.type !== 'WA_EMBEDDED_SIGNUP' || !pending) return;
    if (data.event === 'CANCEL') {
      var step = data.data && data.data.current_step;
      finish('The sign-up was closed' + (step ? ' at the "' + step + '" screen' : '') + '. Nothing was connected.', true);
    } else if (data.event === 'ERROR') {
      finish('Meta reported an error in the sign-up: ' + ((data.data && data.data.error_message) || 'no details') + '.', true);
    } else if (data.event === 'FINISH' && data.data) {
      pending.wabaId = data.data.waba_id;
      pending.phoneNumberId = data.data.phone_number_id;
      submitWhenComplete();
    } else if (data.event && data.event.indexOf('FINISH') === 0) {
      finish('The sign-up finished without a business phone number (' + data.event + '). Add a number to the account, then connect again.', true);
    }
  });

  function withSdk(callback) {
    if (window.FB) {
      window.FB.init({ appId: config.appId, autoLogAppEvents: true, xfbml: false, version: config.graphVersion });
      callback();
      return;
    }
    window.fbAsyncInit = function () { withSdk(callback); };
    var script = document.createElement('script');
    script.src = 'https://connect.facebook.net/en_US/sdk.js';
    script.async = true;
    script.crossOrigin = 'anonymous';
    script.onerror = function () { finish('Meta\'s sign-in script did not load (blocked or offline). Use the form below instead.', true); };
    document.head.appendChild(script);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var pin = pinInput.value.trim();
    if (pin && !/^\d{6}$/.test(pin)) {
      say('The PIN must be 6 digits, or empty to generate one.', true);
      pinInput.focus();
      return;
    }
    button.disabled = true;
    pending = { pin: pin };
    say('Opening Facebook sign-in in a new window…');
    withSdk(function () {
      // The Embedded Signup version (v4) and the permissions come from the configuration itself.
      window.FB.login(function (response) {
        if (!pending) return;
        if (response && response.authResponse && response.authResponse.code) {
          pending.code = response.authResponse.code;
          submitWhenComplete();
        } else if (!pending.code) {
          finish('The sign-up was not completed. Nothing was connected.', true);
        }
      }, { config_id: config.configId, response_type: 'code', override_default_response_type: true, extras: { setup: {}, sessionInfoVersion: '3' } });
    });
  });
}());
