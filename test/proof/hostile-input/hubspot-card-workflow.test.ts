import fc from 'fast-check';
import { PUBLIC_URL, startCardWorld, type CardWorld } from '../../hubspot/card-world';
import { expectAlive, expectCleanJsonAnswer, junkBody, nastyString, RUNS, send, shapedLike, type Answer } from './hostile';
import { hubspotHeaders } from './hubspot-signing';

const A = 62515;
const MARKUP = "<script>alert(1)</script>' or 1=1 --";

describe('hostile input: HubSpot CRM card fetch and workflow action', () => {
  let world: CardWorld;
  let hubspotAna: string;
  const secret = () => world.hubspot.state.app.clientSecret;
  const outboundCount = async () => Number((await world.rt.db('outbound_request').count({ n: '*' }))[0]?.n);

  /** POSTs exact bytes to the local port, signed for the URI HubSpot calls (PUBLIC_URL). */
  const signedPost = (pathAndQuery: string, body: Buffer, versions: Array<'v2' | 'v3'>, timestamp?: number): Promise<Answer> =>
    send(`${world.localUrl}${pathAndQuery}`, {
      headers: hubspotHeaders(secret(), { method: 'POST', uri: `${PUBLIC_URL}${pathAndQuery}`, body, versions, ...(timestamp === undefined ? {} : { timestamp }) }),
      body,
    });
  const cardQuery = (params: Record<string, string>) => new URLSearchParams({ appId: String(world.hubspot.state.app.appId), ...params }).toString();
  const validQuery = () => ({ portalId: String(A), userId: '9001', userEmail: 'rep@example.com', objectTypeId: '0-1', objectId: hubspotAna });

  beforeAll(async () => {
    world = await startCardWorld([A]);
    const installA = await world.install(A);
    hubspotAna = world.hubspot.state.portal(A).create('contacts', { phone: '+49 151 33330001' }, { indexed: true }).id;
    await world.linkContact(installA, await world.customerWrites({ from: '4915133330001', wamid: 'wamid.HOSTILE_HS_1', body: MARKUP }), hubspotAna);
  }, 60_000);
  afterAll(async () => {
    try {
      await expectAlive(world.rt.url);
    } finally {
      await world?.close();
    }
  });

  it('the card\'s thread carries SQL and markup verbatim as JSON text (the card renders it as text, never as HTML)', async () => {
    const answer = await signedPost(`/connectors/hubspot/card/thread?${cardQuery(validQuery())}`, Buffer.from('{}'), ['v3']);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/json');
    expect(JSON.parse(answer.text).messages).toEqual([expect.objectContaining({ text: MARKUP })]);
  });

  it('validly signed card fetches with hostile queries and bodies get 200 or a clear 4xx; a refused send sends nothing', async () => {
    // Each value cut to 300 characters: five long ones would pass Node's 16 KB header limit, which Node answers itself (431).
    const short = nastyString.map((v) => v.slice(0, 300));
    const query = fc.record({ portalId: fc.oneof(fc.constant(String(A)), short), userId: fc.oneof(fc.constant('9001'), short), userEmail: short, objectTypeId: fc.oneof(fc.constantFrom('0-1', '0-3'), short), objectId: fc.oneof(fc.constant('1'), short) }, { requiredKeys: [] });
    const body = fc.oneof(
      shapedLike({ text: 'Hello', idempotencyKey: 'k-1' }).map((b) => Buffer.from(JSON.stringify(b) ?? '')),
      shapedLike({ name: 'shipping_update', language: 'en_US', parameters: ['Ana', '#1'], idempotencyKey: 'k-2' }).map((b) => Buffer.from(JSON.stringify(b) ?? '')),
      junkBody,
    );
    await fc.assert(fc.asyncProperty(fc.constantFrom('thread', 'send', 'template'), query, fc.boolean(), body, async (op, params, realRecord, raw) => {
      const before = await outboundCount();
      const q = realRecord ? { ...validQuery(), ...params, portalId: String(A), objectId: hubspotAna } : params;
      const answer = expectCleanJsonAnswer(await signedPost(`/connectors/hubspot/card/${op}?${cardQuery(q)}`, raw, ['v3']), `card ${op}`);
      if (answer.status >= 400) expect(await outboundCount()).toBe(before);
    }), RUNS);
  });

  it('fault found: a signed card send whose body is not UTF-8 is refused with 400, not sent with U+FFFD', async () => {
    const before = await outboundCount();
    const body = Buffer.concat([Buffer.from('{"text":"caf'), Buffer.from([0xe9]), Buffer.from('","idempotencyKey":"latin1-1"}')]);
    const answer = expectCleanJsonAnswer(await signedPost(`/connectors/hubspot/card/send?${cardQuery(validQuery())}`, body, ['v3']), 'latin-1 card send');
    expect({ status: answer.status, code: JSON.parse(answer.text).code }).toEqual({ status: 400, code: 'INVALID_JSON' });
    expect(await outboundCount()).toBe(before);
  });

  it('a stale card fetch (v3 timestamp 6 minutes old) is refused with 401 and sends nothing', async () => {
    const before = await outboundCount();
    const body = Buffer.from(JSON.stringify({ text: 'replayed', idempotencyKey: 'stale-1' }));
    const answer = expectCleanJsonAnswer(await signedPost(`/connectors/hubspot/card/send?${cardQuery(validQuery())}`, body, ['v3'], Date.now() - 6 * 60_000), 'stale card');
    expect(answer.status).toBe(401);
    expect(await outboundCount()).toBe(before);
  });

  it('workflow executions shaped like and unlike HubSpot\'s, validly signed, get an answer HubSpot reads or a clear 4xx', async () => {
    const valid = {
      callbackId: 'ap-1', origin: { portalId: A, actionDefinitionId: 7_000_001 }, context: { workflowId: 8_000_001, source: 'WORKFLOWS' },
      object: { objectId: Number(hubspotAna), objectType: 'CONTACT', properties: {} },
      inputFields: { template_name: 'shipping_update', language: 'en_US', parameter_1: 'Ana', parameter_2: '#1234' },
    };
    const body = fc.oneof(shapedLike(valid).map((b) => Buffer.from(JSON.stringify(b) ?? '')), junkBody);
    await fc.assert(fc.asyncProperty(body, async (raw) => {
      expectCleanJsonAnswer(await signedPost('/connectors/hubspot/workflow/send', raw, ['v2']), 'workflow');
    }), RUNS);
  });

  it('a replayed workflow execution (same callbackId) sends once', async () => {
    const run = world.hubspot.outbound.workflowActionRequest(`${world.localUrl}/connectors/hubspot/workflow/send`, {
      portalId: A, objectId: Number(hubspotAna), inputFields: { template_name: 'shipping_update', language: 'en_US', parameter_1: 'Ana', parameter_2: '#9' }, publicUrl: `${PUBLIC_URL}/connectors/hubspot/workflow/send`,
    });
    const first = await world.send(run);
    const before = await outboundCount();
    const replayed = await world.send(run);
    expect(replayed.body.outputFields?.message_id).toBe(first.body.outputFields?.message_id);
    expect(await outboundCount()).toBe(before);
  });
});
