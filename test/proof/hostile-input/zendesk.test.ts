import fc from 'fast-check';
import { startZendeskWorld, waitFor, type ZendeskAccountInstall, type ZendeskWorld } from '../../zendesk/zendesk-world';
import { expectAlive, expectCleanJsonAnswer, junkBody, nastyString, RUNS, send, shapedLike } from './hostile';

const MARKUP = "<script>alert(1)</script>' or 1=1 --";

describe('hostile input: Zendesk channelback, clickthrough and event callbacks', () => {
  let world: ZendeskWorld;
  let acme: ZendeskAccountInstall;
  let threadId: string;
  const messageCount = async () => Number((await world.rt.db('message').count({ n: '*' }))[0]?.n);

  beforeAll(async () => {
    world = await startZendeskWorld();
    acme = await world.install('acme', { eventCallbacks: true });
    await world.customerWrites({ from: '15550007001', wamid: 'wamid.HOSTILE_ZD_1', body: MARKUP });
    ({ threadId } = await world.pushedResource('acme', 'wamid.HOSTILE_ZD_1'));
  });
  afterAll(async () => {
    try {
      await expectAlive(world.rt.url);
    } finally {
      await world?.close();
    }
  });

  it('SQL and markup in a customer message reach the ticket verbatim as text and escaped as html_body', () => {
    const comment = world.account('acme').comments.find((c) => c.external_id === 'wa:wamid.HOSTILE_ZD_1');
    expect(comment?.body).toContain(MARKUP);
    expect(comment?.html_body).not.toContain('<script');
    expect(comment?.html_body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('channelback forms with hostile fields get 200 or a clear 4xx; a refused one stores no message', async () => {
    const form = fc.record({
      message: fc.oneof(fc.constant('Thanks, on it'), nastyString),
      thread_id: fc.oneof(fc.constant(threadId), nastyString),
      metadata: fc.oneof(fc.constant(acme.metadata), nastyString, fc.constant(acme.metadata.replace(/"signature":"[^"]+"/, '"signature":"forged"'))),
      request_unique_identifier: fc.oneof(fc.uuid(), nastyString),
      recipient_id: nastyString,
      'file_urls[]': nastyString,
    }, { requiredKeys: ['metadata'] });
    await fc.assert(fc.asyncProperty(form, async (fields) => {
      const before = await messageCount();
      const answer = expectCleanJsonAnswer(await send(`${world.rt.url}/connectors/zendesk/channelback`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }), 'channelback');
      if (answer.status >= 400) expect(await messageCount()).toBe(before);
    }), RUNS);
  });

  describe('faults found (kept as regular tests)', () => {
    it('a verified channelback whose text holds NUL or a lone surrogate is answered, never a 5xx', async () => {
      for (const [i, message] of ['a\u0000b', 'x\ud800y', MARKUP].entries()) {
        const answer = expectCleanJsonAnswer(await send(`${world.rt.url}/connectors/zendesk/channelback`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ message, thread_id: threadId, metadata: acme.metadata, request_unique_identifier: `hostile-nul-${i}` }).toString(),
        }), `channelback ${JSON.stringify(message)}`);
        expect(answer.status).toBeLessThan(500);
      }
    });

    it('a clickthrough external_id holding NUL is a clear 400, not a 500 from PostgreSQL', async () => {
      const answer = await send(`${world.rt.url}/connectors/zendesk/clickthrough?external_id=a%00b`, { method: 'GET' });
      expect(answer.status).toBe(400);
    });
  });

  it('channelback junk bodies (deep JSON, invalid UTF-8, binary) are refused with a clear 4xx', async () => {
    await fc.assert(fc.asyncProperty(junkBody, async (body) => {
      const answer = expectCleanJsonAnswer(await send(`${world.rt.url}/connectors/zendesk/channelback`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }), 'channelback junk');
      expect(answer.status).toBeGreaterThanOrEqual(400);
    }), RUNS);
  });

  it('clickthrough with hostile query strings is a redirect or a clear 4xx', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('external_id', 'external_id[]', 'x'), nastyString), { maxLength: 3 }), async (pairs) => {
      const answer = await send(`${world.rt.url}/connectors/zendesk/clickthrough?${new URLSearchParams(pairs).toString()}`, { method: 'GET' });
      expect(answer.status).toBeLessThan(500);
      expect([302, 400, 404]).toContain(answer.status);
      if (answer.status >= 400) expect(answer.text.length).toBeGreaterThan(20);
    }), RUNS);
  });

  it('event callbacks shaped like and unlike Zendesk\'s get 200 with outcomes or a clear 400', async () => {
    const created = () => world.zendesk.state.eventCallbacks.find((c) => JSON.stringify(c.body).includes('resources_created'));
    await waitFor(async () => created() !== undefined, 'the push\'s event callback');
    const recorded = created();
    const linksBefore = await world.rt.db('external_link').count({ n: '*' });
    const bodies = fc.oneof(
      shapedLike(recorded?.body).map((b) => Buffer.from(JSON.stringify(b) ?? 'null')),
      junkBody,
    );
    await fc.assert(fc.asyncProperty(bodies, async (body) => {
      const answer = expectCleanJsonAnswer(await send(`${world.rt.url}/connectors/zendesk/events`, { headers: { 'content-type': 'application/json' }, body }), 'event callback');
      expect([200, 400, 413]).toContain(answer.status);
    }), RUNS);
    // Forged or mangled resource events never link anything new.
    expect(await world.rt.db('external_link').count({ n: '*' })).toEqual(linksBefore);
  });
});
