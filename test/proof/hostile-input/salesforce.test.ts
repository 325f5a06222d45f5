import crypto from 'node:crypto';
import fc from 'fast-check';
import { salesforceLinkTypes } from '../../../connectors/salesforce/link-types';
import { saveLinks } from '../../../core/sync/external-links';
import { textWebhook } from '../../admin/admin-helpers';
import { fixtureNumber } from '../../fakes/meta/meta-fake';
import { newCalloutKey, startSalesforceWorld, waitFor, type SalesforceWorld } from '../../salesforce/salesforce-world';
import { expectAlive, expectCleanJsonAnswer, junkBody, nastyString, RUNS, send, shapedLike, type Answer } from './hostile';

const MARKUP = "<script>alert(1)</script>' or 1=1 --";

describe('hostile input: Salesforce package callouts (HMAC, timestamp, nonce)', () => {
  let world: SalesforceWorld;
  let caller: { org: string; key: string; user: string };
  let anaContact: string;
  const nonces = async () => Number((await world.rt.db('salesforce_callout_nonce').count({ n: '*' }))[0]?.n);
  const outbound = async () => Number((await world.rt.db('outbound_request').count({ n: '*' }))[0]?.n);

  /** `sha256=` + base64 HMAC of the exact bytes, keyed by the org key's UTF-8 bytes (the Named Credential's). */
  const sign = (key: string, body: Buffer) => `sha256=${crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(body).digest('base64')}`;
  const post = (path: string, body: Buffer, o: { key?: string; org?: string } = {}): Promise<Answer> =>
    send(`${world.publicUrl}/connectors/salesforce/api/v1/${path}`, {
      headers: { 'content-type': 'application/json', 'x-threadline-org': o.org ?? caller.org, 'x-threadline-signature': sign(o.key ?? caller.key, body) },
      body,
    });
  const envelope = (fields: Record<string, unknown>, at = Date.now()) => ({ ...fields, org: caller.org, user: caller.user, ts: at, nonce: crypto.randomBytes(12).toString('hex') });

  beforeAll(async () => {
    world = await startSalesforceWorld({ orgs: [{}] });
    const [org] = world.orgIds as [string];
    caller = { org, key: newCalloutKey(), user: world.salesforce.state.org(org).userId };
    const installation = await world.install(org, { calloutKey: caller.key, config: { phoneNumberId: fixtureNumber.phoneNumberId } });
    const sfOrg = world.salesforce.state.org(org);
    const created = sfOrg.insert(sfOrg.object('Contact') as NonNullable<ReturnType<typeof sfOrg.object>>, { LastName: 'Ana', MobilePhone: '+49 151 4444 0001' });
    if (!('id' in created)) throw new Error('contact not created');
    anaContact = created.id;
    expect((await world.rt.postWebhook(textWebhook({ wamid: 'wamid.HOSTILE_SF_1', from: '4915144440001', name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - 60, body: MARKUP }))).status).toBe(200);
    let contactId: string | undefined;
    await waitFor(async () => {
      contactId = (await world.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where('m.wamid', 'wamid.HOSTILE_SF_1').first('c.contact_id'))?.contact_id;
      return contactId !== undefined;
    }, 'the customer\'s message stored');
    await saveLinks(world.rt.db, world.rt.workspace.id, installation, [{ entityType: 'contact', entityId: contactId as string, externalType: salesforceLinkTypes.contact, externalId: anaContact }]);
  }, 60_000);
  afterAll(async () => {
    try {
      await expectAlive(world.rt.url);
    } finally {
      await world?.close();
    }
  });

  it('the LWC\'s thread carries SQL and markup verbatim as JSON text (LWC templates render it as text)', async () => {
    const answer = await post('thread', Buffer.from(JSON.stringify(envelope({ recordId: anaContact }))));
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/json');
    expect(JSON.parse(answer.text).messages).toEqual(expect.arrayContaining([expect.objectContaining({ text: MARKUP })]));
  });

  it('validly signed callouts shaped like and unlike the package\'s get 200 or a clear 4xx; a refused one sends nothing', async () => {
    const calls = fc.oneof(
      fc.constant('thread').chain((path) => shapedLike(envelope({ recordId: anaContact })).map((b) => [path, b] as const)),
      fc.constant('messages').chain((path) => shapedLike(envelope({ recordId: anaContact, text: 'Hello' })).map((b) => [path, b] as const)),
      fc.constantFrom('templates/send', 'flow/send-template').chain((path) => shapedLike(envelope({ recordId: anaContact, template: 'shipping_update', language: 'en_US', parameters: ['Ana'] })).map((b) => [path, b] as const)),
    );
    await fc.assert(fc.asyncProperty(calls, async ([path, body]) => {
      const before = await outbound();
      const answer = expectCleanJsonAnswer(await post(path, Buffer.from(JSON.stringify(body) ?? '')), `callout ${path}`);
      if (answer.status >= 400) expect(await outbound()).toBe(before);
    }), RUNS);
  });

  it('junk, forged or wrong-org callouts are refused with a clear 4xx and store no nonce', async () => {
    const before = await nonces();
    const request = fc.oneof(
      junkBody.map((body) => ({ body, o: {} })),
      nastyString.map((key) => ({ body: Buffer.from(JSON.stringify(envelope({ recordId: anaContact }))), o: { key } })),
      nastyString.map((org) => ({ body: Buffer.from(JSON.stringify(envelope({ recordId: anaContact }))), o: { org: org.replace(/[^\x20-\x7e]/g, '') } })),
    );
    await fc.assert(fc.asyncProperty(request, fc.constantFrom('thread', 'messages', 'flow/send-template'), async ({ body, o }, path) => {
      const answer = expectCleanJsonAnswer(await post(path, body, o), 'forged callout');
      expect(answer.status).toBe(401);
    }), RUNS);
    expect(await nonces()).toBe(before);
  });

  it('stale callouts (timestamp over 5 minutes away) are refused and store no nonce; a replayed nonce is refused', async () => {
    const before = await nonces();
    await fc.assert(fc.asyncProperty(fc.oneof(fc.integer({ min: 301_000, max: 1e11 }), fc.integer({ min: -1e11, max: -301_000 })), async (skew) => {
      const answer = expectCleanJsonAnswer(await post('thread', Buffer.from(JSON.stringify(envelope({ recordId: anaContact }, Date.now() + skew)))), 'stale callout');
      expect({ status: answer.status, code: JSON.parse(answer.text).error.code }).toEqual({ status: 401, code: 'STALE' });
    }), { numRuns: 30 });
    expect(await nonces()).toBe(before);

    const body = Buffer.from(JSON.stringify(envelope({ recordId: anaContact, text: 'once' })));
    expect((await post('messages', body)).status).toBe(200);
    const sent = await outbound();
    const replayed = expectCleanJsonAnswer(await post('messages', body), 'replayed callout');
    expect({ status: replayed.status, code: JSON.parse(replayed.text).error.code }).toEqual({ status: 401, code: 'REPLAYED' });
    expect(await outbound()).toBe(sent);
  });

  it('fault found: a signed callout whose body is not UTF-8 is refused, not read with U+FFFD', async () => {
    const json = JSON.stringify(envelope({ recordId: anaContact, text: 'caf\u00e9' }));
    const body = Buffer.from(json.replace('caf\u00e9', 'caf\u0000'), 'latin1');
    body[body.indexOf(0)] = 0xe9;
    const before = await outbound();
    const answer = expectCleanJsonAnswer(await post('messages', body), 'latin-1 callout');
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text).error.message).toContain('UTF-8');
    expect(await outbound()).toBe(before);
  });
});
