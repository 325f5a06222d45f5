/* Threadline ticket sidebar: plain script, no build step. Served by Threadline with the session token
   and the strings filled into the page; talks to Threadline only, with that token. */
/* global document, window, fetch, crypto, setInterval, clearInterval */
(function () {
  'use strict';
  var API = '/connectors/zendesk/sidebar/api';
  var TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓', played: '✓✓', failed: '✗' };
  var $ = function (id) { return document.getElementById(id); };
  var session = (document.querySelector('meta[name="threadline-session"]') || {}).content || '';
  var allStrings = JSON.parse($('threadline-strings').textContent || '{}');
  var strings = allStrings.en || {};
  var state = { ticket: null, templates: [], values: {}, ticketInfo: {}, sendKey: null, timer: null };

  function t(key, vars) {
    var text = strings[key] !== undefined ? strings[key] : (allStrings.en || {})[key] || key;
    return text.replace(/\{(\w+)\}/g, function (m, name) { return vars && vars[name] !== undefined ? vars[name] : m; });
  }
  function text(id, value) { $(id).textContent = value; }
  function showError(message) { var el = $('error'); el.textContent = message; el.hidden = !message; }
  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function api(method, path, body) {
    return fetch(API + path, {
      method: method,
      headers: body ? { Authorization: 'Bearer ' + session, 'Content-Type': 'application/json' } : { Authorization: 'Bearer ' + session },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { ok: res.ok, status: res.status, body: json }; });
    }, function () { return { ok: false, status: 0, body: { error: t('networkError') } }; });
  }

  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return h + 'h ' + (m < 10 ? '0' : '') + m + 'm ' + (s % 60 < 10 ? '0' : '') + (s % 60) + 's';
  }

  /* The window as of now, on our clock corrected by the server's (the agent's clock may be off). */
  function renderWindow() {
    var w = state.ticket.window;
    var left = w.expiresAt ? Date.parse(w.expiresAt) - (Date.now() + state.clockSkew) : 0;
    var open = left > 0;
    var node = $('window');
    node.className = open ? '' : 'closed';
    var message = open ? t('windowOpen', { time: duration(left) }) : t(w.expiresAt ? 'windowClosed' : 'windowNever');
    if (node.textContent !== message) node.textContent = message;
    if (state.windowOpen !== open) {
      state.windowOpen = open;
      $('send-while-open-row').hidden = !open;
      updateSend();
    }
    if (!open && state.timer) { clearInterval(state.timer); state.timer = null; }
  }

  function renderConsent(consent) {
    var lines = [t(consent.status === 'opted_in' ? 'consentOptedIn' : consent.status === 'opted_out' ? 'consentOptedOut' : 'consentUnknown')];
    if (consent.marketing === 'stopped') lines.push(t('marketingStopped'));
    text('consent', lines.join(' '));
  }

  function renderMessages(messages) {
    var list = $('messages');
    list.textContent = '';
    if (messages.length === 0) list.appendChild(el('li', 'muted', t('noMessages')));
    messages.forEach(function (m) {
      var item = el('li');
      item.appendChild(el('span', 'who', (m.direction === 'inbound' ? t('fromCustomer') : t('fromAgent')) + ':'));
      item.appendChild(el('span', 'body', m.text !== null && m.text !== '' ? m.text : t('noText', { type: m.type })));
      if (m.direction !== 'inbound') {
        var tick = el('span', 'tick ' + m.status, TICKS[m.status] || '…');
        tick.setAttribute('role', 'img');
        tick.setAttribute('aria-label', t('status_' + m.status));
        tick.title = t('status_' + m.status);
        item.appendChild(tick);
      }
      if (m.error) item.appendChild(el('span', 'failure', [m.error.title, m.error.details].filter(Boolean).join(': ') + ' (' + m.error.code + ')'));
      list.appendChild(item);
    });
  }

  /* Values a template parameter can start from: the ticket's requester and fields, by parameter name. */
  function prefill(name) {
    var info = state.ticketInfo;
    var requester = info['ticket.requester.name'] || '';
    var known = {
      1: requester, name: requester, customer_name: requester, first_name: requester.split(' ')[0],
      email: info['ticket.requester.email'] || '', ticket_id: String(info['ticket.id'] || ''), subject: info['ticket.subject'] || ''
    };
    return known[name] !== undefined ? known[name] : '';
  }

  function selected() { return state.templates[Number($('template').value)]; }

  function renderParameters() {
    var box = $('parameters');
    box.textContent = '';
    var template = selected();
    if (!template) return;
    template.parameters.forEach(function (p) {
      var id = 'param-' + p.name;
      var label = el('label', '', t('parameterLabel', { name: p.name }));
      label.htmlFor = id;
      var input = el('input');
      input.type = 'text';
      input.id = id;
      input.value = state.values[p.name] !== undefined ? state.values[p.name] : prefill(p.name);
      state.values[p.name] = input.value;
      if (p.example) input.placeholder = p.example;
      input.addEventListener('input', function () { state.values[p.name] = input.value; state.sendKey = null; renderPreview(); });
      box.appendChild(label);
      box.appendChild(input);
    });
    renderPreview();
  }

  function renderPreview() {
    var template = selected();
    if (!template) return;
    var fill = function (part) {
      return (part || '').replace(/\{\{\s*(\w+)\s*\}\}/g, function (m, name) { return state.values[name] || '[' + name + ']'; });
    };
    text('preview', [fill(template.text.header), fill(template.text.body), template.text.footer].filter(Boolean).join('\n\n'));
    updateSend();
  }

  function updateSend() {
    var template = selected();
    var filled = template && template.parameters.every(function (p) { return (state.values[p.name] || '').trim() !== ''; });
    var allowed = !state.windowOpen || $('send-while-open').checked;
    $('send').disabled = !(template && filled && allowed && !state.sending);
  }

  function parameterValues(template) {
    if (template.parameterFormat === 'NAMED') {
      var named = {};
      template.parameters.forEach(function (p) { named[p.name] = state.values[p.name]; });
      return named;
    }
    return template.parameters.map(function (p) { return state.values[p.name]; });
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function send() {
    var template = selected();
    /* The same key until the agent changes something: a retry after a network error sends once. */
    state.sendKey = state.sendKey || randomKey();
    state.sending = true;
    updateSend();
    text('send', t('sending'));
    text('send-result', '');
    showError('');
    api('POST', '/tickets/' + state.ticketInfo['ticket.id'] + '/template', {
      name: template.name, language: template.language, parameters: parameterValues(template), idempotencyKey: state.sendKey
    }).then(function (res) {
      state.sending = false;
      text('send', t('send'));
      if (res.ok) {
        state.sendKey = null;
        text('send-result', t('sent'));
        loadTicket();
      } else {
        showError(res.body.error || t('networkError'));
      }
      updateSend();
    });
  }

  function renderTemplates(result) {
    state.templates = result.items;
    $('templates').hidden = false;
    text('templates-note', result.items.length === 0 ? t('noTemplates')
      : result.languageMatched ? '' : t('otherLanguage', { language: state.ticketInfo['ticket.requester.locale'] || '?' }));
    var select = $('template');
    select.textContent = '';
    result.items.forEach(function (template, i) {
      var option = el('option', '', template.name + ' (' + template.language + ')');
      option.value = String(i);
      select.appendChild(option);
    });
    $('template').disabled = result.items.length === 0;
    renderParameters();
    updateSend();
  }

  function loadTicket() {
    return api('GET', '/tickets/' + state.ticketInfo['ticket.id']).then(function (res) {
      $('app').setAttribute('aria-busy', 'false');
      if (res.status === 404 && res.body.code === 'NOT_A_WHATSAPP_TICKET') { text('status', t('notWhatsapp')); return false; }
      if (!res.ok) { text('status', ''); showError(res.body.error || t('networkError')); return false; }
      state.ticket = res.body;
      state.clockSkew = Date.parse(res.body.serverTime) - Date.now();
      text('status', res.body.conversation.customer.name ? t('title') + ' · ' + res.body.conversation.customer.name : t('title'));
      $('conversation').hidden = false;
      renderConsent(res.body.consent);
      renderMessages(res.body.messages);
      state.windowOpen = undefined;
      renderWindow();
      if (state.windowOpen && !state.timer) state.timer = setInterval(renderWindow, 1000);
      return true;
    });
  }

  function start(client) {
    client.invoke('resize', { width: '100%', height: '480px' });
    client.get(['ticket.id', 'ticket.subject', 'ticket.requester.name', 'ticket.requester.email', 'ticket.requester.locale', 'currentUser.locale']).then(function (info) {
      state.ticketInfo = info;
      var locale = String(info['currentUser.locale'] || 'en');
      strings = allStrings[locale] || allStrings[locale.split('-')[0]] || allStrings.en || {};
      document.documentElement.lang = strings === allStrings.en ? 'en' : locale;
      ['messages-title:messagesTitle', 'templates-title:templatesTitle', 'template-label:templateLabel', 'preview-title:previewTitle', 'send-while-open-label:sendWhileOpen', 'send:send']
        .forEach(function (pair) { var p = pair.split(':'); text(p[0], t(p[1])); });
      text('status', t('loading'));
      return loadTicket().then(function (isWhatsapp) {
        if (!isWhatsapp) return;
        var language = info['ticket.requester.locale'] ? '?language=' + encodeURIComponent(info['ticket.requester.locale']) : '';
        return api('GET', '/tickets/' + info['ticket.id'] + '/templates' + language).then(function (res) {
          if (res.ok) renderTemplates(res.body);
          else showError(res.body.error || t('networkError'));
        });
      });
    });
  }

  $('template').addEventListener('change', function () { state.values = {}; state.sendKey = null; renderParameters(); });
  $('send-while-open').addEventListener('change', updateSend);
  $('send').addEventListener('click', send);

  var client = window.ZAFClient && window.ZAFClient.init();
  if (!client || !session) { $('app').setAttribute('aria-busy', 'false'); text('status', ''); showError(t('notInZendesk')); return; }
  start(client);
})();
