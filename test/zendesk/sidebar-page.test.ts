/** @jest-environment jsdom */
import fs from 'node:fs';
import path from 'node:path';
import { APP_DIR, sidebarPage } from '../../connectors/zendesk/sidebar/sidebar-page';

/**
 * The sidebar page's script in jsdom: the page as Threadline serves it (session and strings filled in),
 * a stubbed ZAF client, and a stubbed fetch standing in for Threadline's sidebar API.
 */
/** The parts of jsdom's window this test touches (the project compiles for Node, without the DOM lib). */
interface Element {
  id: string; tagName: string; textContent: string | null; hidden: boolean; value: string; checked: boolean; disabled: boolean; placeholder: string;
  getAttribute(name: string): string | null; click(): void; dispatchEvent(event: unknown): boolean;
  querySelector(selector: string): Element | null; querySelectorAll(selector: string): Iterable<Element>;
}
interface Page {
  document: { getElementById(id: string): Element | null; querySelector(selector: string): Element | null; querySelectorAll(selector: string): Iterable<Element>; documentElement: { innerHTML: string; lang: string } };
  Event: new (type: string) => unknown;
  eval(code: string): unknown;
  pwned?: number;
}
// jsdom's window is the global here, but the project's types know Node's globals only.
const page = globalThis as unknown as Page;
const SCRIPT = fs.readFileSync(path.join(APP_DIR, 'assets/sidebar.js'), 'utf8');
const API = '/connectors/zendesk/sidebar/api';
const NOW = new Date('2026-11-22T10:00:00Z');

interface Answer { status: number; body: unknown }
type Routes = Record<string, Answer | Answer[] | (() => Answer | Promise<never>)>;

const template = {
  name: 'order_update', language: 'en_US', category: 'UTILITY', parameterFormat: 'POSITIONAL',
  parameters: [{ name: '1', example: null }, { name: '2', example: 'B-1234' }],
  text: { header: null, body: 'Hello {{1}}, your order {{2}} has shipped.', footer: 'Reply STOP to opt out' },
};
const ticket = (overrides: { expiresAt?: string | null; messages?: unknown[]; consent?: object } = {}) => ({
  conversation: { id: 'c-1', status: 'open', phoneNumberId: '1000', customer: { name: 'Ana Silva', waId: '15550001' } },
  window: { open: overrides.expiresAt !== null && overrides.expiresAt !== undefined && Date.parse(overrides.expiresAt) > NOW.getTime(), expiresAt: overrides.expiresAt ?? null },
  consent: overrides.consent ?? { status: 'opted_in', marketing: 'subscribed' },
  messages: overrides.messages ?? [
    { id: 'm1', direction: 'inbound', type: 'text', text: 'Where is my order?', status: 'received', sentAt: NOW.toISOString(), error: null },
    { id: 'm2', direction: 'outbound', type: 'text', text: 'On its way', status: 'read', sentAt: NOW.toISOString(), error: null },
  ],
  serverTime: NOW.toISOString(),
});

let fetchMock: jest.Mock;
let zaf: { invoke: jest.Mock; get: jest.Mock };
const $ = (id: string) => page.document.getElementById(id) as Element;
const text = (id: string) => $(id).textContent ?? '';
const flush = () => jest.advanceTimersByTimeAsync(1);

/** Loads the page and runs its script against the given API answers (keyed "METHOD path"). */
async function open(routes: Routes, info: Record<string, unknown> = {}): Promise<void> {
  const html = sidebarPage()('sess-token').replace(/<script src=[^>]*><\/script>/g, '');
  page.document.documentElement.innerHTML = html.replace(/^[\s\S]*?<html[^>]*>/, '').replace(/<\/html>\s*$/, '');
  const calls = new Map<string, number>();
  fetchMock = jest.fn(async (url: string, init: { method: string }) => {
    const key = `${init.method} ${url.slice(API.length)}`;
    const route = routes[key];
    if (route === undefined) throw new Error(`unexpected ${key}`);
    const n = calls.get(key) ?? 0;
    calls.set(key, n + 1);
    const answer = typeof route === 'function' ? await route() : Array.isArray(route) ? route[Math.min(n, route.length - 1)] as Answer : route;
    return { ok: answer.status < 300, status: answer.status, json: async () => answer.body };
  });
  Object.assign(page, { fetch: fetchMock });
  zaf = {
    invoke: jest.fn(),
    get: jest.fn(async () => ({
      'ticket.id': 501, 'ticket.subject': 'Order', 'ticket.requester.name': 'Ana Silva', 'ticket.requester.email': 'ana@example.net',
      'ticket.requester.locale': 'en-US', 'currentUser.locale': 'en-US', ...info,
    })),
  };
  Object.assign(page, { ZAFClient: { init: () => zaf } });
  page.eval(SCRIPT);
  await flush();
}

const whatsappTicket = (expiresAt: string | null, extra: Routes = {}): Routes => ({
  'GET /tickets/501': { status: 200, body: ticket({ expiresAt }) },
  'GET /tickets/501/templates?language=en-US': { status: 200, body: { languageMatched: true, items: [template] } },
  ...extra,
});
const input = (id: string, value: string) => {
  const field = $(id);
  field.value = value;
  field.dispatchEvent(new page.Event('input'));
};
const sendButton = () => $('send');

describe('the ticket sidebar page', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts the 24-hour window down every second, announced politely', async () => {
    await open(whatsappTicket(new Date(NOW.getTime() + 2 * 3600_000).toISOString()));
    expect(text('window')).toBe('Reply window open: 2h 00m 00s left.');
    expect($('window').getAttribute('aria-live')).toBe('polite');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(text('window')).toBe('Reply window open: 1h 59m 55s left.');
    expect(zaf.invoke).toHaveBeenCalledWith('resize', expect.objectContaining({ height: expect.any(String) }));
  });

  it('when the window closes it says what to do, and the template picker can send without ticking anything', async () => {
    await open(whatsappTicket(new Date(NOW.getTime() + 2_000).toISOString()));
    expect($('send-while-open').checked).toBe(false);
    input('param-2', 'B-77');
    expect(sendButton().disabled).toBe(true);
    await jest.advanceTimersByTimeAsync(3_000);
    expect(text('window')).toMatch(/^The 24-hour reply window is closed: a normal reply will not reach the customer\. Send an approved template below/);
    expect($('send-while-open-row').hidden).toBe(true);
    expect(sendButton().disabled).toBe(false);
  });

  it('prefills parameters from the ticket\'s requester and previews the message as it is typed', async () => {
    await open(whatsappTicket('2026-11-21T08:00:00Z'));
    expect($('templates').hidden).toBe(false);
    expect(text('template')).toBe('order_update (en_US)');
    expect($('param-1').value).toBe('Ana Silva');
    expect($('param-2').placeholder).toBe('B-1234');
    expect(text('preview')).toBe('Hello Ana Silva, your order [2] has shipped.\n\nReply STOP to opt out');
    expect(sendButton().disabled).toBe(true);
    input('param-2', 'B-77');
    expect(text('preview')).toBe('Hello Ana Silva, your order B-77 has shipped.\n\nReply STOP to opt out');
    expect(sendButton().disabled).toBe(false);
  });

  it('send posts the template, its parameters and one idempotency key to Threadline with the session, then refreshes', async () => {
    await open(whatsappTicket('2026-11-21T08:00:00Z', { 'POST /tickets/501/template': { status: 202, body: { messageId: 'm9', status: 'queued' } } }));
    input('param-2', 'B-77');
    sendButton().click();
    await flush();
    const post = fetchMock.mock.calls.find(([, init]) => init.method === 'POST');
    expect(post?.[0]).toBe(`${API}/tickets/501/template`);
    expect(post?.[1].headers).toEqual({ Authorization: 'Bearer sess-token', 'Content-Type': 'application/json' });
    expect(JSON.parse(post?.[1].body)).toEqual({ name: 'order_update', language: 'en_US', parameters: ['Ana Silva', 'B-77'], idempotencyKey: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(text('send-result')).toBe('The template is on its way to the customer.');
    expect(fetchMock.mock.calls.filter(([url]) => url === `${API}/tickets/501`)).toHaveLength(2);
  });

  it('inside the window, sends only once the agent chooses to', async () => {
    await open(whatsappTicket(new Date(NOW.getTime() + 3600_000).toISOString()));
    input('param-2', 'B-77');
    expect(sendButton().disabled).toBe(true);
    $('send-while-open').click();
    expect(sendButton().disabled).toBe(false);
  });

  it('shows Threadline\'s refusal as the agent should read it, and a retry after a network failure reuses the key', async () => {
    const refusal = { status: 422, body: { code: 'CONSENT_REVOKED', error: 'Not sent to WhatsApp: The contact opted out. Reach them on another channel.' } };
    let posts = 0;
    await open(whatsappTicket('2026-11-21T08:00:00Z', {
      'POST /tickets/501/template': () => (posts++ === 0 ? Promise.reject(new TypeError('Failed to fetch')) : refusal),
    }));
    input('param-2', 'B-77');
    sendButton().click();
    await flush();
    expect(text('error')).toBe('Threadline could not be reached. Check your connection, then try again.');
    expect($('error').getAttribute('role')).toBe('alert');
    sendButton().click();
    await flush();
    expect(text('error')).toBe(refusal.body.error);
    const keys = fetchMock.mock.calls.filter(([, i]) => i.method === 'POST').map(([, i]) => JSON.parse(i.body).idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });

  it('escapes HTML in messages and shows delivery ticks and failures in words', async () => {
    await open({
      ...whatsappTicket(null),
      'GET /tickets/501': { status: 200, body: ticket({ messages: [
        { id: 'm1', direction: 'inbound', type: 'text', text: '<img src=x onerror="window.pwned=1"><b>hi</b>', status: 'received', sentAt: NOW.toISOString(), error: null },
        { id: 'm2', direction: 'outbound', type: 'template', text: null, status: 'failed', sentAt: NOW.toISOString(), error: { code: 131047, title: 'Re-engagement message', details: 'More than 24 hours have passed' } },
        { id: 'm3', direction: 'outbound', type: 'text', text: 'ok', status: 'delivered', sentAt: NOW.toISOString(), error: null },
      ] }) },
    });
    const list = $('messages');
    expect(list.querySelector('img, b')).toBeNull();
    expect(list.textContent).toContain('<img src=x onerror="window.pwned=1"><b>hi</b>');
    expect(page.pwned).toBeUndefined();
    const ticks = [...list.querySelectorAll('.tick')].map((t) => [t.textContent, t.getAttribute('aria-label')]);
    expect(ticks).toEqual([['✗', 'Not delivered'], ['✓✓', 'Delivered']]);
    expect(list.textContent).toContain('(template message)');
    expect(list.textContent).toContain('Re-engagement message: More than 24 hours have passed (131047)');
    expect(text('window')).toMatch(/^The customer has not written on WhatsApp yet/);
    expect(text('consent')).toBe('The customer opted in to WhatsApp messages.');
  });

  it('a ticket that is not a WhatsApp conversation gets a short note and no picker', async () => {
    await open({ 'GET /tickets/501': { status: 404, body: { code: 'NOT_A_WHATSAPP_TICKET', error: 'x' } } });
    expect(text('status')).toBe('This ticket is not a WhatsApp conversation, so there is nothing to show here.');
    expect($('templates').hidden).toBe(true);
    expect($('conversation').hidden).toBe(true);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('an expired session is shown as Threadline words it; outside Zendesk the page says so', async () => {
    await open({ 'GET /tickets/501': { status: 401, body: { code: 'SESSION_INVALID', error: 'Your Threadline session expired: reload the app (or reopen the ticket).' } } });
    expect(text('error')).toBe('Your Threadline session expired: reload the app (or reopen the ticket).');
    page.document.documentElement.innerHTML = sidebarPage()('').replace(/<script src=[^>]*><\/script>/g, '').replace(/^[\s\S]*?<html[^>]*>/, '');
    Object.assign(page, { ZAFClient: { init: () => false } });
    page.eval(SCRIPT);
    expect(text('error')).toBe('This page works only inside Zendesk, as the Threadline app.');
  });

  it('speaks the agent\'s language, labels every control, and lists other languages when none matches the customer\'s', async () => {
    await open({
      'GET /tickets/501': { status: 200, body: ticket({ expiresAt: '2026-11-21T08:00:00Z', consent: { status: 'opted_out', marketing: 'stopped' } }) },
      'GET /tickets/501/templates?language=fr': { status: 200, body: { languageMatched: false, items: [template] } },
    }, { 'currentUser.locale': 'es-ES', 'ticket.requester.locale': 'fr' });
    expect(page.document.documentElement.lang).toBe('es-ES');
    expect(text('templates-title')).toBe('Enviar una plantilla');
    expect(text('consent')).toBe('El cliente no quiere recibir mensajes de WhatsApp: no lo contactes por WhatsApp. El cliente pidió no recibir mensajes de marketing.');
    expect(text('templates-note')).toBe('No hay plantillas aprobadas en el idioma del cliente (fr): se muestran todos los idiomas.');
    for (const control of page.document.querySelectorAll('input, select')) {
      expect(page.document.querySelector(`label[for="${control.id}"]`)?.textContent).toBeTruthy();
    }
    expect(sendButton().tagName).toBe('BUTTON');
  });
});
