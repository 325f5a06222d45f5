import crypto from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/communications';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { startHubSpotFake, type HubSpotFake } from '../fakes/hubspot/hubspot-fake';
import { sendSigned } from '../fakes/hubspot/request-signing';

/** The fake's own contract: what it rejects, so connector tests fail where HubSpot would. */
const acme = 62515;
const globex = 77001;
const redirectUri = 'http://127.0.0.1/connectors/hubspot/oauth/callback';
let fake: HubSpotFake;

beforeEach(async () => {
  fake = await startHubSpotFake({ portals: [acme, { portalId: globex, grantableScopes: [...requiredScopes()] }] });
});
afterEach(() => fake.stop());

function requiredScopes(): string[] {
  return ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.schemas.contacts.write', 'automation'];
}

const api = (path: string, init: { method?: string; body?: unknown; token?: string } = {}) =>
  fetch(`${fake.apiBase}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(init.token === undefined ? {} : { Authorization: `Bearer ${init.token}` }), 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });

const form = (path: string, fields: Record<string, string>) =>
  fetch(`${fake.apiBase}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

const authorizeUrl = (params: Record<string, string>, accountId?: number) =>
  `${fake.authBase}/oauth/${accountId === undefined ? '' : `${accountId}/`}authorize?${new URLSearchParams(params).toString()}`;

async function authorize(params: Partial<Record<string, string>> = {}, accountId?: number): Promise<Response> {
  const query = { client_id: fake.state.app.clientId, redirect_uri: redirectUri, scope: requiredScopes().join(' '), state: 'csrf-1', ...params };
  return fetch(authorizeUrl(Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)), accountId), { redirect: 'manual' });
}

async function codeFrom(res: Response): Promise<string> {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('csrf-1');
  return location.searchParams.get('code') ?? '';
}

const exchange = (code: string, overrides: Record<string, string> = {}) =>
  form('/oauth/2026-03/token', { grant_type: 'authorization_code', client_id: fake.state.app.clientId, client_secret: fake.state.app.clientSecret, redirect_uri: redirectUri, code, ...overrides });

interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  hub_id: number;
  scopes: string[];
}

describe('OAuth (2026-03)', () => {
  it('installs, exchanges the code for tokens naming the portal, introspects, refreshes, and expires access tokens', async () => {
    const code = await codeFrom(await authorize({ optional_scope: 'conversations.read' }));
    const res = await exchange(code);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Tokens;
    expect(tokens).toMatchObject({ hub_id: acme, expires_in: 1800, token_type: 'bearer' });
    expect(tokens.scopes).toEqual([...requiredScopes(), 'conversations.read']);
    expect((await api('/crm/v3/objects/contacts/1', { token: tokens.access_token })).status).toBe(404);

    const introspected = await form('/oauth/2026-03/token/introspect', { client_id: fake.state.app.clientId, client_secret: fake.state.app.clientSecret, token: tokens.access_token });
    expect(await introspected.json()).toMatchObject({ active: true, hub_id: acme, app_id: fake.state.app.appId, scopes: tokens.scopes, expires_in: 1800 });

    const refresh = () => form('/oauth/2026-03/token', { grant_type: 'refresh_token', client_id: fake.state.app.clientId, client_secret: fake.state.app.clientSecret, refresh_token: tokens.refresh_token });
    const refreshed = (await (await refresh()).json()) as Tokens;
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).toBe(tokens.refresh_token);

    fake.state.advanceTime(1801 * 1000);
    const expired = await api('/crm/v3/objects/contacts/1', { token: refreshed.access_token });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ status: 'error', category: 'EXPIRED_AUTHENTICATION', message: expect.stringMatching(/expired 1 second\(s\) ago/) });
    expect((await refresh()).status).toBe(200);
  });

  it('refuses what HubSpot refuses: unknown client, foreign redirect_uri, missing required scope, spent code, wrong secret, JSON bodies, v1', async () => {
    for (const bad of [{ client_id: 'nope' }, { redirect_uri: 'https://evil.example/cb' }, { scope: 'oauth' }, { scope: `${requiredScopes().join(' ')} tickets` }]) {
      const res = await authorize(bad);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    const code = await codeFrom(await authorize());
    const wrongSecret = await exchange(code, { client_secret: 'wrong' });
    expect(await wrongSecret.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', subCategory: 'BAD_CLIENT_SECRET' });
    expect((await exchange(code)).status).toBe(200);
    expect(await (await exchange(code)).json()).toMatchObject({ subCategory: 'BAD_AUTH_CODE' });
    const other = await codeFrom(await authorize());
    expect(await (await exchange(other, { redirect_uri: 'http://127.0.0.1/other' })).json()).toMatchObject({ subCategory: 'BAD_REDIRECT_URI' });

    const asJson = await api('/oauth/2026-03/token', { method: 'POST', body: { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'a', client_secret: 'b' } });
    expect(await asJson.json()).toMatchObject({ subCategory: 'MISSING_PARAMETER' });
    expect((await form('/oauth/v1/token', { grant_type: 'refresh_token' })).status).toBe(404);
  });

  it('grants an optional scope only where the tier allows, pins the account, and kills every token on uninstall', async () => {
    const code = await codeFrom(await authorize({ optional_scope: 'conversations.read' }, globex));
    const tokens = (await (await exchange(code)).json()) as Tokens;
    expect(tokens.hub_id).toBe(globex);
    expect(tokens.scopes).not.toContain('conversations.read');

    const uninstalled = await api('/appinstalls/v3/external-install', { method: 'DELETE', token: tokens.access_token });
    expect(uninstalled.status).toBe(204);
    expect((await api('/crm/v3/objects/contacts/1', { token: tokens.access_token })).status).toBe(401);
    const refresh = await form('/oauth/2026-03/token', { grant_type: 'refresh_token', client_id: fake.state.app.clientId, client_secret: fake.state.app.clientSecret, refresh_token: tokens.refresh_token });
    expect(await refresh.json()).toMatchObject({ subCategory: 'BAD_REFRESH_TOKEN' });
    const introspected = await form('/oauth/2026-03/token/introspect', { client_id: fake.state.app.clientId, client_secret: fake.state.app.clientSecret, token: tokens.refresh_token });
    expect(await introspected.json()).toEqual({ active: false });
  });
});

describe('CRM', () => {
  it('finds a new contact by its calculated international phone only once search has indexed it', async () => {
    const token = fake.state.issueToken(acme);
    const created = await api('/crm/v3/objects/contacts', { method: 'POST', token, body: { properties: { firstname: 'Ana', phone: '+49 151 2345 6789' } } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const search = () =>
      api('/crm/v3/objects/contacts/search', {
        method: 'POST',
        token,
        body: {
          filterGroups: [
            { filters: [{ propertyName: 'hs_searchable_calculated_international_phone_number', operator: 'EQ', value: '+4915123456789' }] },
            { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: '15123456789' }] },
          ],
          properties: ['phone'],
        },
      });
    expect(await (await search()).json()).toEqual({ total: 0, results: [] });
    expect((await api(`/crm/v3/objects/contacts/${id}`, { token })).status).toBe(200);
    fake.state.advanceTime(3000);
    const found = await search();
    expect(found.headers.get('x-hubspot-ratelimit-max')).toBeNull();
    expect(await found.json()).toMatchObject({ total: 1, results: [{ id, properties: { phone: '+49 151 2345 6789', hs_object_id: id } }] });

    const tooMany = await api('/crm/v3/objects/contacts/search', { method: 'POST', token, body: { filterGroups: Array.from({ length: 6 }, () => ({ filters: [] })) } });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('creates communications in batches of at most 100, validates properties, associates, and has no idempotency', async () => {
    const token = fake.state.issueToken(acme);
    const contact = fake.state.portal(acme).create('contacts', { firstname: 'Ana' }, { indexed: true });
    const message = (body: string, channel = 'WHATS_APP') => ({
      properties: { hs_communication_channel_type: channel, hs_communication_logged_from: 'CRM', hs_communication_body: body, hs_timestamp: '2026-11-21T10:00:00Z' },
      associations: [{ to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }] }],
    });
    const batch = (inputs: unknown[]) => api('/crm/v3/objects/communications/batch/create', { method: 'POST', token, body: { inputs } });

    expect((await batch(Array.from({ length: 101 }, (_, i) => message(`m${i}`)))).status).toBe(400);
    const invalid = await batch([message('ok'), message('bad', 'WHATSAPP'), { properties: { ...message('x').properties, threadline_wamid: 'wamid.1' } }]);
    expect(invalid.status).toBe(400);
    const { message: text } = (await invalid.json()) as { message: string };
    expect(text).toMatch(/^Property values were not valid: /);
    expect(JSON.parse(text.replace(/^Property values were not valid: /, ''))).toEqual([expect.objectContaining({ error: 'INVALID_OPTION', name: 'hs_communication_channel_type' })]);
    expect(fake.state.portal(acme).communications).toHaveLength(0);

    const first = await batch([message('hello')]);
    expect(first.status).toBe(201);
    expect((await batch([message('hello')])).status).toBe(201);
    expect(fake.state.portal(acme).communications).toHaveLength(2);

    const associated = await api(`/crm/v4/objects/contacts/${contact.id}/associations/communications`, { token });
    expect(await associated.json()).toEqual({
      results: fake.state.portal(acme).communications.map((c) => ({ toObjectId: Number(c.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 82, label: null }] })),
    });
    const read = await api('/crm/v3/objects/communications/batch/read', { method: 'POST', token, body: { inputs: [{ id: fake.state.portal(acme).communications[0]?.id }, { id: '1' }], properties: ['hs_communication_body'] } });
    expect(read.status).toBe(207);
    expect(await read.json()).toMatchObject({ status: 'COMPLETE', numErrors: 1, results: [{ properties: { hs_communication_body: 'hello' } }] });
  });

  it('creates tasks associated with a contact (204), needing hs_timestamp and the contacts write scope [U]', async () => {
    const token = fake.state.issueToken(acme);
    const portal = fake.state.portal(acme);
    const contact = portal.create('contacts', { firstname: 'Ana' }, { indexed: true });
    const task = (properties: Record<string, string>, associationTypeId = 204) => api('/crm/objects/2026-03/tasks', {
      method: 'POST', token, body: { properties, associations: [{ to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }] }] },
    });
    expect((await task({ hs_task_subject: 'Call back' })).status).toBe(400);
    expect((await task({ hs_task_subject: 'Call back', hs_timestamp: '2026-11-21T10:00:00Z' }, 81)).status).toBe(400);
    expect((await task({ hs_task_subject: 'Call back', hs_timestamp: '2026-11-21T10:00:00Z', hs_task_priority: 'URGENT' })).status).toBe(400);
    const created = await task({ hs_task_subject: 'Call back', hs_timestamp: '2026-11-21T10:00:00Z', hs_task_priority: 'HIGH', hubspot_owner_id: '5001' });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(portal.tasks.map((t) => t.id)).toEqual([id]);
    expect(portal.associatedIds('contacts', contact.id, 'tasks')).toEqual([id]);
    const readOnly = fake.state.issueToken(acme, ['oauth', 'crm.objects.contacts.read']);
    expect((await api('/crm/v3/objects/tasks', { method: 'POST', token: readOnly, body: { properties: { hs_timestamp: '2026-11-21T10:00:00Z' } } })).status).toBe(403);
  });

  it('keeps portals apart and refuses tokens without the scope', async () => {
    const theirs = fake.state.portal(globex).create('contacts', { firstname: 'Bo' }, { indexed: true });
    expect((await api(`/crm/v3/objects/contacts/${theirs.id}`, { token: fake.state.issueToken(acme) })).status).toBe(404);
    const readOnly = fake.state.issueToken(acme, ['oauth', 'crm.objects.contacts.read']);
    const refused = await api('/crm/v3/objects/contacts', { method: 'POST', token: readOnly, body: { properties: {} } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ category: 'MISSING_SCOPES', errors: [{ context: { requiredGranularScopes: ['crm.objects.contacts.write'] } }] });
    expect((await api('/crm/v3/objects/contacts/1')).status).toBe(401);
  });
});

describe('rate limits and failures', () => {
  it('sends the rate headers on every answer and a 429 TEN_SECONDLY_ROLLING without Retry-After over the limit', async () => {
    const token = fake.state.issueToken(acme);
    fake.state.portal(acme).apiLimit.max = 3;
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await api('/crm/v3/objects/contacts/1', { token });
      expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('3');
      expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
      remaining.push(res.headers.get('x-hubspot-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await api('/crm/v3/objects/contacts/1', { token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(await limited.json()).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' });
    // Another portal has its own budget; the window rolls.
    expect((await api('/crm/v3/objects/contacts/1', { token: fake.state.issueToken(globex) })).status).toBe(404);
    fake.state.advanceTime(10_000);
    expect((await api('/crm/v3/objects/contacts/1', { token })).status).toBe(404);
  });

  it('limits search to 5 per second per portal, and plays scripted failures and outages', async () => {
    const token = fake.state.issueToken(acme);
    const search = () => api('/crm/v3/objects/contacts/search', { method: 'POST', token, body: {} });
    for (let i = 0; i < 5; i += 1) expect((await search()).status).toBe(200);
    const limited = await search();
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ message: 'You have reached your secondly limit.' });

    fake.state.failNext(1, 'daily_limit', { scope: 'api', portalId: acme });
    expect(await (await api('/crm/v3/objects/contacts/1', { token })).json()).toMatchObject({ policyName: 'DAILY' });
    fake.state.setOutage(true);
    const down = await api('/crm/v3/objects/contacts/1', { token });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('@hubspot/api-client against the fake', () => {
  it('agrees on paths and shapes for contacts search and communications batch create', async () => {
    const client = new Client({ accessToken: fake.state.issueToken(acme), basePath: fake.apiBase });
    const contact = fake.state.portal(acme).create('contacts', { phone: '+5511987654321' }, { indexed: true });
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_searchable_calculated_international_phone_number', operator: FilterOperatorEnum.Eq, value: '+5511987654321' }] }],
      properties: ['phone'],
      limit: 10,
    });
    expect(page.total).toBe(1);
    expect(page.results[0]?.id).toBe(contact.id);
    expect(page.results[0]?.createdAt).toBeInstanceOf(Date);

    const created = await client.crm.objects.communications.batchApi.create({
      inputs: [
        {
          properties: { hs_communication_channel_type: 'WHATS_APP', hs_communication_logged_from: 'CRM', hs_communication_body: 'Olá', hs_timestamp: String(Date.now()) },
          associations: [{ to: { id: contact.id }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 81 }] }],
        },
      ],
    });
    expect(created.status).toBe('COMPLETE');
    expect(created.results).toHaveLength(1);
    expect(fake.state.portal(acme).associatedIds('communications', created.results[0]?.id ?? '', 'contacts')).toEqual([contact.id]);
    await expect(client.crm.objects.communications.batchApi.create({ inputs: [] })).rejects.toMatchObject({ code: 400 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Signatures, checked by an implementation written here from the request-validation doc's words, not the fake's.

const secret = () => fake.state.app.clientSecret;
const sha256Hex = (text: string) => crypto.createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

function verifyV1(headers: Record<string, string>, body: string): boolean {
  return headers['x-hubspot-signature-version'] === 'v1' && headers['x-hubspot-signature'] === sha256Hex(secret() + body);
}

function verifyV2(headers: Record<string, string>, method: string, uri: string, body: string): boolean {
  return headers['x-hubspot-signature-version'] === 'v2' && headers['x-hubspot-signature'] === sha256Hex(secret() + method + uri + body);
}

function verifyV3(headers: Record<string, string>, method: string, uri: string, body: string, now = Date.now()): boolean {
  const timestamp = Number(headers['x-hubspot-request-timestamp']);
  if (!Number.isFinite(timestamp) || now - timestamp > 5 * 60_000) return false;
  let decoded = uri;
  for (const ch of [':', '/', '?', '@', '!', '$', "'", '(', ')', '*', ',', ';']) {
    const encoded = `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
    decoded = decoded.split(encoded).join(ch).split(encoded.toLowerCase()).join(ch);
  }
  const expected = crypto.createHmac('sha256', Buffer.from(secret(), 'utf8')).update(Buffer.from(`${method}${decoded}${body}${timestamp}`, 'utf8')).digest();
  const given = Buffer.from(headers['x-hubspot-signature-v3'] ?? '', 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

interface Received {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function startSink(status = 204): Promise<{ url: string; received: Received[]; close: () => Promise<void>; setStatus: (s: number) => void }> {
  const received: Received[] = [];
  let answer = status;
  const app = express();
  app.use(express.raw({ type: () => true }), (req, res) => {
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    received.push({ method: req.method, url: req.originalUrl, headers, body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '' });
    res.status(answer).end();
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    setStatus: (s) => {
      answer = s;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('requests HubSpot makes to the app', () => {
  it('delivers CRM webhooks as signed arrays, at least once, retrying non-2xx with eventIds shared across types', async () => {
    const sink = await startSink(500);
    try {
      const events = [
        fake.outbound.crmEvent(acme, { subscriptionType: 'contact.creation', objectId: 101 }),
        fake.outbound.crmEvent(acme, { subscriptionType: 'contact.propertyChange', objectId: 101, propertyName: 'phone', propertyValue: '+4915123456789' }),
      ];
      expect(events[0]?.eventId).toBe(events[1]?.eventId);
      const failed = await fake.outbound.deliverCrmEvents(`${sink.url}/webhooks/hubspot`, events, { maxAttempts: 2 });
      expect(failed.map((d) => d.status)).toEqual([500, 500]);
      sink.setStatus(204);
      await fake.outbound.deliverCrmEvents(`${sink.url}/webhooks/hubspot`, events, { duplicates: 1 });
      expect(sink.received).toHaveLength(4);
      expect(sink.received.map((r) => (JSON.parse(r.body) as Array<{ attemptNumber: number }>)[0]?.attemptNumber)).toEqual([0, 1, 0, 0]);
      for (const r of sink.received) {
        expect(verifyV1(r.headers, r.body)).toBe(true);
        expect(verifyV3(r.headers, 'POST', `${sink.url}${r.url}`, r.body)).toBe(true);
        expect(verifyV3(r.headers, 'POST', `${sink.url}${r.url}`, `${r.body} `)).toBe(false);
      }
      const last = sink.received[3];
      if (!last) throw new Error('no delivery');
      // Replayed six minutes later, the same bytes fail the timestamp window.
      expect(verifyV3(last.headers, 'POST', `${sink.url}${last.url}`, last.body, Date.now() + 6 * 60_000)).toBe(false);
    } finally {
      await sink.close();
    }
  });

  it('signs hubspot.fetch from a card with v3 over the public URL (decoding what the doc lists) and adds appId', async () => {
    const sink = await startSink(200);
    try {
      const publicUrl = 'https://threadline.example/connectors/hubspot/card/thread?portalId=62515&objectId=101&email=ana%40example.com&note=a%2Cb';
      const request = fake.outbound.cardFetchRequest(`${sink.url}/connectors/hubspot/card/thread?portalId=62515&objectId=101&email=ana%40example.com&note=a%2Cb`, {
        method: 'POST',
        body: { text: 'Olá' },
        publicUrl,
      });
      await sendSigned(request);
      const [got] = sink.received;
      if (!got) throw new Error('nothing received');
      expect(new URL(got.url, sink.url).searchParams.get('appId')).toBe(String(fake.state.app.appId));
      expect(got.headers['x-hubspot-signature-version']).toBeUndefined();
      const signedUrl = new URL(publicUrl);
      signedUrl.searchParams.set('appId', String(fake.state.app.appId));
      expect(verifyV3(got.headers, 'POST', signedUrl.toString(), got.body)).toBe(true);
      expect(verifyV3(got.headers, 'POST', `${sink.url}${got.url}`, got.body)).toBe(false);
    } finally {
      await sink.close();
    }
  });

  it('signs workflow actions with v2 and lets the app complete the callback once', async () => {
    const sink = await startSink(200);
    try {
      const request = fake.outbound.workflowActionRequest(`${sink.url}/connectors/hubspot/workflow/send-template`, { portalId: acme, objectId: 101, inputFields: { template: 'order_update' } });
      await sendSigned(request);
      const [got] = sink.received;
      if (!got) throw new Error('nothing received');
      expect(verifyV2(got.headers, 'POST', `${sink.url}${got.url}`, got.body)).toBe(true);
      expect(JSON.parse(got.body)).toMatchObject({ callbackId: request.callbackId, origin: { portalId: acme }, object: { objectId: 101, objectType: 'CONTACT' }, inputFields: { template: 'order_update' } });

      const token = fake.state.issueToken(acme);
      const complete = () => api(`/automation/v4/actions/callbacks/${request.callbackId}/complete`, { method: 'POST', token, body: { outputFields: { hs_execution_state: 'SUCCESS' } } });
      expect((await complete()).status).toBe(204);
      expect((await complete()).status).toBe(404);
      expect(fake.state.callbackCompletions).toEqual([{ callbackId: request.callbackId, portalId: acme, outputFields: { hs_execution_state: 'SUCCESS' } }]);
    } finally {
      await sink.close();
    }
  });
});
