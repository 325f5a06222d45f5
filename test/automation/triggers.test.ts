import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { ADMIN_AUTH, textWebhook, waitFor } from '../admin/admin-helpers';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { freePort } from '../send/send-harness';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from '../support/test-runtime';

/** Triggers from business systems and the guard rails on templates nobody typed (issue 7 item 7). */
interface Callback { headers: http.IncomingHttpHeaders; body: string }

let meta: MetaFake;
let rt: TestRuntime;
let receiver: http.Server;
let receiverUrl: string;
let secret: string;
const callbacks: Callback[] = [];
let refuseNextCallback = false;

const shipped = { name: 'order-shipped', template: 'shipping_update', language: 'en_US', to: '/customer/phone', parameters: ['/customer/name', '/order/id'] };

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      callbacks.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = refuseNextCallback ? 503 : 200;
      refuseNextCallback = false;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/threadline-callback`;

  const port = await freePort();
  meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp` });
  meta.state.templates.add({ name: 'shipping_update', components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships today.', example: { body_text: [['Ana', '#1234']] } }] });
  meta.state.templates.add({ name: 'summer_sale', category: 'MARKETING', components: [{ type: 'BODY', text: 'Hi {{1}}, 20% off this week.', example: { body_text: [['Ana']] } }] });
  meta.state.templates.add({ name: 'shipping_reminder', components: [{ type: 'BODY', text: 'Your parcel is waiting.' }] });
  rt = await startTestRuntime({ config: { whatsappApiBase: meta.baseUrl, port, publicUrl: `http://127.0.0.1:${port}` }, worker: { pollIntervalMs: 50, ioConcurrency: 4 }, connectors: [] });
  const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
  expect(number.status).toBe(201);
  expect((await rt.http().post('/api/v1/templates/sync').set('authorization', ADMIN_AUTH).send({ phone_number_id: fixtureNumber.phoneNumberId })).status).toBe(200);
  expect((await putRule('triggers', { triggers: [
    { ...shipped, callbackUrl: receiverUrl, followUp: { afterHours: 2, template: 'shipping_reminder' } },
    { name: 'promo', template: 'summer_sale', language: 'en_US', to: '/phone', parameters: ['/name'] },
  ] })).status).toBe(201);
  expect((await putRule('outbound_limits', { marketing: { max: 2, perDays: 7 } })).status).toBe(201);
  const created = await rt.http().post('/api/v1/automation/trigger-secret').set('authorization', ADMIN_AUTH);
  expect(created.status).toBe(201);
  secret = created.body.secret as string;
});
afterAll(async () => {
  await meta?.flushWebhooks();
  await rt?.close();
  await meta?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

function putRule(kind: string, definition: unknown) {
  return rt.http().put(`/api/v1/automation/rules/${kind}`).set('authorization', ADMIN_AUTH).send({ definition });
}

/** Signed as the docs tell a business system to sign: HMAC-SHA256 of `<timestamp>.<raw body>`, hex. */
function sign(body: string, timestamp: number, key = secret): string {
  return `sha256=${crypto.createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

function trigger(name: string, payload: unknown, options: { key?: string; timestamp?: number; signature?: string } = {}) {
  const body = JSON.stringify(payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return rt.http().post(`/api/v1/triggers/${name}`).set('content-type', 'application/json')
    .set('x-threadline-timestamp', String(timestamp)).set('x-threadline-signature', options.signature ?? sign(body, timestamp))
    .set('idempotency-key', options.key ?? crypto.randomUUID()).send(body);
}

const order = (phone: string, name = 'Ana') => ({ customer: { phone, name }, order: { id: '#1234' } });
const sentTo = (waId: string) => meta.state.sent.filter((m) => m.waId === waId).map((m) => (m.request as { template?: { name: string } }).template?.name);
const idle = async () => (await rt.db('graphile_worker.jobs').whereIn('task_identifier', ['whatsapp.send', 'automation.inbound', 'automation.trigger_send', 'automation.trigger_follow_up'])
  .where('run_at', '<=', rt.db.fn.now()).pluck('id')).length === 0;
const settle = async (what: string) => waitFor(idle, what);

async function writes(from: string, body: string, secondsAgo = 2): Promise<void> {
  const wamid = `wamid.TRIG_${crypto.randomBytes(6).toString('hex')}`;
  expect((await rt.postWebhook(textWebhook({ wamid, from, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - secondsAgo, body }))).status).toBe(200);
  await waitFor(async () => (await rt.db('message').where({ wamid }).first('id')) !== undefined, `message ${wamid}`);
  await settle('automations of the message');
}

/** Runs a scheduled job now (its key names it). */
async function runNow(key: string): Promise<void> {
  expect(await rt.db('graphile_worker._private_jobs').where({ key }).update({ run_at: rt.db.fn.now() })).toBe(1);
}

describe('POST /api/v1/triggers/:name', () => {
  test('a signed trigger sends the template with the payload\'s parameters to a customer who never wrote', async () => {
    const res = await trigger('order-shipped', order('+49 151 2345 0001'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ messageId: expect.any(String), status: 'queued' });
    await waitFor(async () => sentTo('4915123450001').length === 1, 'the template at Meta');
    const sent = meta.state.sent.find((m) => m.waId === '4915123450001');
    expect(sent?.request).toMatchObject({ type: 'template', template: { name: 'shipping_update', components: [{ type: 'body', parameters: [{ text: 'Ana' }, { text: '#1234' }] }] } });
    const message = await rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').join('contact as k', 'k.id', 'c.contact_id')
      .where('m.id', res.body.messageId).first('k.wa_id', 'm.direction');
    expect(message).toEqual({ wa_id: '4915123450001', direction: 'outbound' });
  });

  test('a wrong or stale signature is 401, an unknown trigger 404, a missing or national phone 422, over 64 KB 413', async () => {
    const body = order('+4915123450002');
    const wrong = await trigger('order-shipped', body, { signature: sign(JSON.stringify(body), Math.floor(Date.now() / 1000), 'not-the-secret') });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/X-Threadline-Signature/);
    const stale = await trigger('order-shipped', body, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/5 minutes/);
    expect((await trigger('order-cancelled', body)).status).toBe(404);
    const missing = await trigger('order-shipped', { customer: { name: 'Ana' }, order: { id: '#1' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error).toMatchObject({ code: 'PHONE_MISSING', message: expect.stringContaining('/customer/phone') });
    expect((await trigger('order-shipped', order('0151 2345 0002'))).body.error.code).toBe('PHONE_UNUSABLE');
    expect((await trigger('order-shipped', { ...body, note: 'x'.repeat(65 * 1024) })).status).toBe(413);
    await settle('any send');
    expect(sentTo('4915123450002')).toEqual([]);
  });

  test('the same Idempotency-Key again returns the first answer and sends once', async () => {
    const key = crypto.randomUUID();
    const first = await trigger('order-shipped', order('+4915123450003'), { key });
    const again = await trigger('order-shipped', order('+4915123450003'), { key, timestamp: Math.floor(Date.now() / 1000) + 1 });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    await settle('the send');
    expect(sentTo('4915123450003')).toEqual(['shipping_update']);
  });

  test('a contact who opted out is refused with the reason, and nothing is sent', async () => {
    await writes('4915123450004', 'STOP');
    const res = await trigger('order-shipped', order('+4915123450004'));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONSENT_REVOKED', message: expect.stringMatching(/opted out/) });
    await settle('any send');
    expect(sentTo('4915123450004')).toEqual([]);
  });
});

describe('guard rails', () => {
  test('the frequency cap refuses the 3rd marketing template in 7 days, and utility templates still go', async () => {
    await writes('4915123450005', 'START');
    const promo = (n: number) => trigger('promo', { phone: '+4915123450005', name: `Ana ${n}` });
    expect((await promo(1)).status).toBe(202);
    expect((await promo(2)).status).toBe(202);
    const third = await promo(3);
    expect(third.status).toBe(409);
    expect(third.body.error).toMatchObject({ code: 'FREQUENCY_CAPPED', message: expect.stringContaining('2 marketing templates in the last 7 days') });
    expect((await trigger('order-shipped', order('+4915123450005'))).status).toBe(202);
    await settle('the sends');
    expect(sentTo('4915123450005')).toEqual(['summer_sale', 'summer_sale', 'shipping_update']);
  });

  test('a platform workflow\'s template outside the window is capped too; a person\'s template inside the window is not', async () => {
    const platform = sendFromPlatform({ db: rt.db });
    const workflow = (waId: string) => platform({
      workspaceId: rt.workspace.id, originInstallationId: crypto.randomUUID(), to: { waId, phoneNumberId: fixtureNumber.phoneNumberId }, idempotencyKey: crypto.randomUUID(),
      author: { platform: 'hubspot', id: 'workflow:7', name: 'Workflow' }, message: { type: 'template', name: 'summer_sale', language: 'en_US', parameters: ['Bo'] },
    });
    await writes('4915123450006', 'START', 25 * 3600); // opted in, window long closed
    expect((await trigger('promo', { phone: '+4915123450006', name: 'Bo' })).status).toBe(202);
    expect(await workflow('4915123450006')).toMatchObject({ ok: true });
    expect(await workflow('4915123450006')).toMatchObject({ ok: false, code: 'FREQUENCY_CAPPED' });
    expect(await workflow('4915123450005')).toMatchObject({ ok: true }); // capped, but writing to us: a person's answer in their window
    await settle('the sends');
    expect(sentTo('4915123450006')).toEqual(['summer_sale', 'summer_sale']);
  });

  test('in the contact\'s quiet hours a trigger is deferred to their end, not dropped', async () => {
    // Quiet 21:00-08:00: of these countries one is in its night and one in its day, whatever the time now.
    const countries = [['49', 'Europe/Berlin'], ['1', 'America/New_York'], ['81', 'Asia/Tokyo'], ['61', 'Australia/Sydney'], ['55', 'America/Sao_Paulo'], ['91', 'Asia/Kolkata']] as const;
    const hourIn = (zone: string) => DateTime.now().setZone(zone).hour;
    const night = countries.find(([, zone]) => hourIn(zone) >= 21 || hourIn(zone) < 7);
    const day = countries.find(([, zone]) => hourIn(zone) >= 9 && hourIn(zone) < 20);
    if (!night || !day) throw new Error('no country at night or by day');
    expect((await putRule('outbound_limits', { marketing: { max: 2, perDays: 7 }, quietHours: { start: '21:00', end: '08:00' } })).status).toBe(200);

    const sleeper = `${night[0]}5550000601`;
    const deferred = await trigger('order-shipped', order(`+${sleeper}`));
    expect(deferred.status).toBe(202);
    expect(deferred.body).toMatchObject({ messageId: null, status: 'scheduled' });
    const wakes = DateTime.fromISO(deferred.body.scheduledFor as string).setZone(night[1]);
    expect(wakes.toFormat('HH:mm')).toBe('08:00');
    expect(wakes.diffNow().as('hours')).toBeLessThanOrEqual(11);
    expect((await trigger('order-shipped', order(`+${day[0]}5550000602`))).body.status).toBe('queued');
    await settle('the daytime send');
    expect(sentTo(sleeper)).toEqual([]);
    expect(sentTo(`${day[0]}5550000602`)).toEqual(['shipping_update']);

    // Morning comes (quiet hours lifted, so the deferred job finds it daytime): it is sent then.
    expect((await putRule('outbound_limits', { marketing: { max: 2, perDays: 7 } })).status).toBe(200);
    const request: { id: string } = await rt.db('trigger_request').where({ wa_id: sleeper }).first('id');
    await runNow(`trigger-send:${request.id}`);
    await waitFor(async () => sentTo(sleeper).length === 1, 'the deferred template');
    expect(sentTo(sleeper)).toEqual(['shipping_update']);
  });
});

describe('after the answer', () => {
  test('a late failure reaches the callback once, signed, after a retry', async () => {
    meta.state.failDeliveryTo('4915123450007');
    refuseNextCallback = true;
    const before = callbacks.length;
    const key = crypto.randomUUID();
    const res = await trigger('order-shipped', order('+4915123450007'), { key });
    expect(res.status).toBe(202);
    await waitFor(async () => callbacks.length === before + 2, 'the callback, refused once then retried', 15_000);
    const [refused, delivered] = callbacks.slice(before);
    expect(delivered?.body).toBe(refused?.body);
    const body = JSON.parse(delivered?.body ?? '{}');
    expect(body).toMatchObject({ trigger: 'order-shipped', idempotencyKey: key, messageId: res.body.messageId, status: 'failed', error: { code: '131047' } });
    const timestamp = Number(delivered?.headers['x-threadline-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(delivered?.headers['x-threadline-signature']).toBe(sign(delivered?.body ?? '', timestamp));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(callbacks.length).toBe(before + 2);
  });

  test('the follow-up goes once when the customer does not answer, and not at all when they did', async () => {
    const silent = await trigger('order-shipped', order('+4915123450008'));
    const replying = await trigger('order-shipped', order('+4915123450009'));
    await settle('the templates');
    await writes('4915123450009', 'Thanks, got it');
    const requestOf = async (messageId: string) => (await rt.db('trigger_request').where({ message_id: messageId }).first('id') as { id: string }).id;
    await runNow(`trigger-follow-up:${await requestOf(silent.body.messageId as string)}`);
    await runNow(`trigger-follow-up:${await requestOf(replying.body.messageId as string)}`);
    await waitFor(async () => sentTo('4915123450008').length === 2, 'the reminder');
    await settle('the follow-ups');
    expect(sentTo('4915123450008')).toEqual(['shipping_update', 'shipping_reminder']);
    expect(sentTo('4915123450009')).toEqual(['shipping_update']);
    expect(await rt.db('graphile_worker.jobs').where({ task_identifier: 'automation.trigger_follow_up' }).whereIn('key', [`trigger-follow-up:${await requestOf(silent.body.messageId as string)}`]).pluck('id')).toEqual([]);
  });
});
