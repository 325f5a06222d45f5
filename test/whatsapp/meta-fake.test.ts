import express from 'express';
import type { Server } from 'node:http';
import { z } from 'zod';
import { readFixture } from '../fakes/meta/fixtures';
import { fixtureNumber, startMetaFake, toMetaJson, type MetaFake } from '../fakes/meta/meta-fake';
import { startWebhookSink, type WebhookSink } from '../fakes/meta/webhook-sink';

/** Checks the fake itself: it must accept what Meta accepts and reject what Meta rejects. */

const pnid = fixtureNumber.phoneNumberId;
const token = fixtureNumber.accessToken;
const appSecret = 'fake_app_secret_0123456789abcdef';

const errorBody = z.object({ error: z.object({ code: z.number(), error_data: z.object({ details: z.string() }).optional() }) });
const statusBody = z.object({
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(
        z.object({
          value: z.object({
            metadata: z.object({ phone_number_id: z.string(), display_phone_number: z.string() }),
            statuses: z.array(z.looseObject({ id: z.string(), status: z.string(), recipient_id: z.string(), errors: z.array(z.object({ code: z.number() })).optional() })),
          }),
        }),
      ),
    }),
  ),
});

let fake: MetaFake;
let sink: WebhookSink;

beforeEach(async () => {
  sink = await startWebhookSink(appSecret);
  fake = await startMetaFake({ webhookTarget: sink.url, appSecret });
});
afterEach(async () => {
  await fake.stop();
  await sink.stop();
});

async function post(path: string, body: unknown, bearer = token): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${fake.baseUrl}/v24.0/${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function expectInvalid(body: unknown, detailsPattern: RegExp): Promise<void> {
  const res = await post(`${pnid}/messages`, body);
  expect(res.status).toBe(400);
  const parsed = errorBody.parse(res.json);
  expect(parsed.error.code).toBe(100);
  expect(parsed.error.error_data?.details).toMatch(detailsPattern);
}

function sendFixture(name: string): Record<string, unknown> {
  return z.record(z.string(), z.unknown()).parse(readFixture(name));
}

function statusesOf(json: unknown) {
  const change = statusBody.parse(json).entry[0]?.changes[0];
  if (!change) throw new Error('no change');
  return { metadata: change.value.metadata, statuses: change.value.statuses };
}

describe('Meta fake: sends', () => {
  it.each([
    'send-text-request',
    'send-text-reply-request',
    'send-image-by-id-request',
    'send-document-by-link-request',
    'send-template-request',
    'send-template-named-params-request',
    'send-interactive-buttons-request',
    'send-interactive-list-request',
    'send-reaction-request',
  ])('accepts %s', async (name) => {
    const res = await post(`${pnid}/messages`, sendFixture(name));

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ messaging_product: 'whatsapp', contacts: [{ input: '+15550001111', wa_id: '15550001111' }], messages: [{ id: 'wamid.FAKE_SENT_1' }] });
    expect(fake.state.sent).toMatchObject([{ wamid: 'wamid.FAKE_SENT_1', phoneNumberId: pnid, to: '+15550001111', waId: '15550001111' }]);
  });

  it('answers template sends with message_status accepted', async () => {
    const res = await post(`${pnid}/messages`, sendFixture('send-template-request'));

    expect(res.json).toMatchObject({ messages: [{ id: 'wamid.FAKE_SENT_1', message_status: 'accepted' }] });
  });

  it('rejects 4 reply buttons with a 100', async () => {
    const body = sendFixture('send-interactive-buttons-request');
    const reply = (n: number) => ({ type: 'reply', reply: { id: `b${n}`, title: `Option ${n}` } });
    body.interactive = { type: 'button', body: { text: 'Pick one' }, action: { buttons: [reply(1), reply(2), reply(3), reply(4)] } };

    await expectInvalid(body, /interactive\['action'\]\['buttons'\].*at most 3 buttons/);
    expect(fake.state.sent).toHaveLength(0);
  });

  it('rejects a send without `to`', async () => {
    const { to: _to, ...body } = sendFixture('send-text-request');

    await expectInvalid(body, /The parameter to is required/);
  });

  it.each([
    ['a text body over 4096 characters', { type: 'text', text: { body: 'x'.repeat(4097) } }, /text\['body'\].*4096/],
    ['a button title over 20 characters', {
      type: 'interactive',
      interactive: { type: 'button', body: { text: 'Hi' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'x'.repeat(21) } }] } },
    }, /title.*20/],
    ['a list with 11 rows', {
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick' },
        action: { button: 'Choose', sections: [{ title: 'All', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` })) }] },
      },
    }, /at most 10 rows/],
    ['a caption on audio', { type: 'audio', audio: { id: '900000000000101', caption: 'no' } }, /caption is not supported for audio/],
    ['a caption on a sticker', { type: 'sticker', sticker: { id: '900000000000101', caption: 'no' } }, /caption is not supported for sticker/],
    ['media with both id and link', { type: 'image', image: { id: '1', link: 'https://files.example.invalid/a.jpg' } }, /exactly one of id or link/],
    ['a reaction with context', { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' }, context: { message_id: 'wamid.X' } }, /context/],
    ['an unknown type', { type: 'hologram', hologram: {} }, /type/],
  ])('rejects %s', async (_name, fields, pattern) => {
    await expectInvalid({ messaging_product: 'whatsapp', to: '+15550001111', ...fields }, pattern);
  });

  it('rejects a wrong messaging_product', async () => {
    await expectInvalid({ ...sendFixture('send-text-request'), messaging_product: 'sms' }, /messaging_product/);
  });

  it('treats a send without type as text, as Meta does', async () => {
    const { type: _type, ...body } = sendFixture('send-text-request');

    expect((await post(`${pnid}/messages`, body)).status).toBe(200);
    expect(fake.state.sent[0]?.type).toBe('text');
  });

  it('plays scripted failures, then recovers', async () => {
    fake.state.failNext(2, 131056);

    const first = await post(`${pnid}/messages`, sendFixture('send-text-request'));
    const second = await post(`${pnid}/messages`, sendFixture('send-text-request'));
    const third = await post(`${pnid}/messages`, sendFixture('send-text-request'));

    expect([first.status, second.status, third.status]).toEqual([400, 400, 200]);
    expect(first.json).toEqual(readFixture('error-131056-response'));
    expect(fake.state.sent).toHaveLength(1);
  });
});

describe('Meta fake: Graph rules', () => {
  it('answers a missing token with 401 and the 190 body', async () => {
    const res = await fetch(`${fake.baseUrl}/v24.0/${pnid}`);

    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(readFixture('error-190-response'));
  });

  it('answers a malformed version with 400', async () => {
    const res = await fetch(`${fake.baseUrl}/v24/${pnid}`, { headers: { Authorization: `Bearer ${token}` } });

    expect(res.status).toBe(400);
    expect(errorBody.parse(await res.json()).error.code).toBe(2500);
  });

  it('answers an unknown field with 100', async () => {
    const res = await fetch(`${fake.baseUrl}/v24.0/${pnid}?fields=verified_name,favourite_colour`, { headers: { Authorization: `Bearer ${token}` } });

    expect(res.status).toBe(400);
    expect(errorBody.parse(await res.json()).error.code).toBe(100);
  });

  it('uploads media (multipart) and serves it back', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([Buffer.from('png bytes')], { type: 'image/png' }), 'label.png');

    const res = await fetch(`${fake.baseUrl}/v24.0/${pnid}/media`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    const { id } = z.object({ id: z.string() }).parse(await res.json());

    expect(fake.state.media.get(id)).toMatchObject({ mimeType: 'image/png', phoneNumberId: pnid, data: Buffer.from('png bytes') });
  });

  it('rejects an upload of an unsupported type with 131053', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'application/x-msdownload');
    form.set('file', new Blob([Buffer.from('MZ')]), 'a.exe');

    const res = await fetch(`${fake.baseUrl}/v24.0/${pnid}/media`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });

    expect(errorBody.parse(await res.json()).error.code).toBe(131053);
  });
});

describe('Meta fake: webhooks', () => {
  it('posts signed sent and delivered statuses after a send', async () => {
    await post(`${pnid}/messages`, sendFixture('send-text-request'));

    const [sent, delivered] = await sink.waitFor(2);

    for (const hook of [sent, delivered]) expect(hook?.signatureValid).toBe(true);
    expect(statusesOf(sent?.json)).toEqual({
      metadata: { display_phone_number: '15550002222', phone_number_id: pnid },
      statuses: [expect.objectContaining({ id: 'wamid.FAKE_SENT_1', status: 'sent', recipient_id: '15550001111' })],
    });
    expect(statusesOf(delivered?.json).statuses).toEqual([expect.objectContaining({ id: 'wamid.FAKE_SENT_1', status: 'delivered' })]);
    await fake.flushWebhooks();
    expect(fake.state.webhooks.map((w) => w.status)).toEqual([200, 200]);
  });

  it('follows sent with a late failed 131047 for a scripted recipient', async () => {
    fake.state.failDeliveryTo('15550001111');
    await post(`${pnid}/messages`, sendFixture('send-text-request'));

    const [sent, failed] = await sink.waitFor(2);

    expect(statusesOf(sent?.json).statuses[0]?.status).toBe('sent');
    expect(statusesOf(failed?.json).statuses).toEqual([
      expect.objectContaining({ id: 'wamid.FAKE_SENT_1', status: 'failed', errors: [expect.objectContaining({ code: 131047 })] }),
    ]);
  });

  it('sends only `sent` for a reaction', async () => {
    await post(`${pnid}/messages`, sendFixture('send-reaction-request'));
    await fake.flushWebhooks();

    expect(sink.received.map((w) => statusesOf(w.json).statuses[0]?.status)).toEqual(['sent']);
  });

  it('signs the exact bytes, escaping non-ASCII as Meta does (signature test vector)', async () => {
    const vector = z.object({ app_secret: z.string(), raw_body: z.string(), expected_header_value: z.string() }).parse(readFixture('webhook-signature-vector'));

    expect(toMetaJson(JSON.parse(vector.raw_body))).toBe(vector.raw_body);
    expect(fake.signWebhook(vector.raw_body)).toBe(vector.expected_header_value);
    expect(await fake.postWebhook(sink.url, JSON.parse(vector.raw_body))).toBe(200);
    expect(sink.received[0]).toMatchObject({ rawBody: vector.raw_body, signature: vector.expected_header_value, signatureValid: true });
  });

  it('can post with a wrong or missing signature', async () => {
    await fake.postWebhook(sink.url, readFixture('inbound-text'), { signature: 'sha256=00' });
    await fake.postWebhook(sink.url, readFixture('inbound-text'), { signature: false });

    expect(sink.received.map((r) => [r.signature, r.signatureValid])).toEqual([['sha256=00', false], [undefined, false]]);
  });

  it('runs the subscription handshake', async () => {
    const app = express();
    app.get('/hook', (req, res) => {
      if (req.query['hub.mode'] === 'subscribe' && req.query['hub.verify_token'] === 'fake-verify-token') res.type('text/plain').send(String(req.query['hub.challenge']));
      else res.sendStatus(403);
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const url = `http://127.0.0.1:${address.port}/hook`;
      await expect(fake.verifySubscription(url, 'fake-verify-token', '1158201444')).resolves.toEqual({ status: 200, body: '1158201444' });
      await expect(fake.verifySubscription(url, 'wrong')).resolves.toMatchObject({ status: 403 });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
