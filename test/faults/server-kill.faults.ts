import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { freePort } from '../server/server-process';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { TEST_APP_SECRET } from '../support/test-runtime';
import { drained, inboundTexts, inParallel, postInbound, randomKey, statusOf, storedCounts, waitFor, waitForDrain, type InboundPost } from './fault-support';

const root = path.resolve(__dirname, '../..');
const CUSTOMERS = 20;
const MESSAGES_EACH = 15;
const REPLIES_EACH = 3;
/** The process is killed once this many inbound POSTs were acknowledged: mid-load, with more in flight. */
const KILL_AFTER_ACKS = 120;

describe('Threadline killed with SIGKILL under load, then restarted', () => {
  let database: TestDatabase;
  let meta: MetaFake;
  let child: ChildProcess | undefined;
  let port = 0;
  const encryptionKey = randomKey();
  const baseUrl = () => `http://127.0.0.1:${port}`;

  function startThreadline(): Promise<ChildProcess> {
    const started = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'threadline-child.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', FAULT_DATABASE_URL: database.url, FAULT_PORT: String(port), FAULT_META_BASE: meta.baseUrl, FAULT_ENCRYPTION_KEY: encryptionKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    return new Promise((resolve, reject) => {
      started.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve(started);
      });
      started.once('exit', (code) => reject(new Error(`Threadline exited early (${code}): ${stderr}`)));
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    port = await freePort();
    // Meta redelivers the status webhooks the killed process never answered: they settle sends cut off mid-call.
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `http://127.0.0.1:${port}/webhooks/whatsapp`, redeliverWebhooks: { attempts: 8, firstDelayMs: 250 } });
    child = await startThreadline();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child?.once('exit', r));
    }
    await meta?.stop();
    await database?.drop();
  });

  it('processes every acknowledged webhook once and sends every reply once, retries with the same Idempotency-Key included', async () => {
    const number = await fetch(`${baseUrl()}/api/v1/numbers`, {
      method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' }),
    });
    expect(number.status).toBe(201);

    // Each customer's first message opens the conversation the replies go to.
    const [openers, ...rest] = chunk(inboundTexts('KILL', CUSTOMERS, MESSAGES_EACH), CUSTOMERS);
    expect(await inParallel(openers ?? [], 8, (p) => postInbound(baseUrl(), p))).toEqual(Array.from({ length: CUSTOMERS }, () => 200));
    await waitFor(() => drained(database.db), 'the openers to be processed');
    const conversations: { id: string }[] = await database.db('conversation').orderBy('id').select('id');
    expect(conversations).toHaveLength(CUSTOMERS);
    const replies = conversations.flatMap((c, i) => Array.from({ length: REPLIES_EACH }, (_, r) => ({ conversationId: c.id, key: `kill-reply-${i}-${r}`, text: `reply ${r} to conversation ${i}` })));
    const postReply = (r: (typeof replies)[number]) => statusOf(fetch(`${baseUrl()}/api/v1/conversations/${r.conversationId}/messages`, {
      method: 'POST', headers: { authorization: ADMIN_AUTH, 'content-type': 'application/json', 'idempotency-key': r.key },
      body: JSON.stringify({ type: 'text', body: r.text }), signal: AbortSignal.timeout(10_000),
    }));

    // The load: the rest of the inbound texts and the replies, interleaved, 16 in flight; SIGKILL mid-way.
    const inbound = rest.flat();
    const work: Array<{ kind: 'in'; post: InboundPost } | { kind: 'reply'; reply: (typeof replies)[number] }> = [];
    inbound.forEach((post, i) => {
      work.push({ kind: 'in', post });
      const reply = replies[Math.floor(i / 4)];
      if (i % 4 === 0 && reply) work.push({ kind: 'reply', reply });
    });
    let acks = 0;
    let killed: Promise<unknown> | undefined;
    const statuses = await inParallel(work, 16, async (item) => {
      const status = item.kind === 'in' ? await postInbound(baseUrl(), item.post) : await postReply(item.reply);
      if (status === 200 && (acks += 1) === KILL_AFTER_ACKS && child) {
        const victim = child;
        killed = new Promise((r) => victim.once('exit', r));
        victim.kill('SIGKILL');
      }
      return status;
    });
    await killed;
    const acknowledged = inbound.filter((_, i) => statuses[work.findIndex((w) => w.kind === 'in' && w.post === inbound[i])] === 200);
    const unanswered = statuses.filter((s) => s === 0).length;
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS - replies.length);
    expect(unanswered).toBeGreaterThan(0); // the kill really came mid-load

    child = await startThreadline();
    // What Meta does for what got no 200 (and sometimes for what did): deliver it again. The sender retries each reply with its key.
    const redeliver = [...inbound.filter((p) => !acknowledged.includes(p)), ...acknowledged.slice(0, 20)];
    expect(await inParallel(redeliver, 8, (p) => postInbound(baseUrl(), p))).toEqual(redeliver.map(() => 200));
    expect(await inParallel(replies, 8, postReply)).toEqual(replies.map(() => 202));
    await waitForDrain(database.db, 'the restarted Threadline to drain', 90_000);
    await meta.flushWebhooks();

    // Every inbound text, acknowledged before the kill or after, stored and processed exactly once.
    const all = [...(openers ?? []), ...inbound].map((p) => p.wamid);
    const { messages, events } = await storedCounts(database.db, all);
    expect([...messages.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...events.entries()].filter(([, e]) => e.n !== 1 || e.processed !== 1)).toEqual([]);
    const duplicates = await database.db('message').groupBy('workspace_id', 'wamid').havingRaw('count(*) > 1').select('wamid');
    expect(duplicates).toEqual([]);
    // Threaded as before the kill: each customer's texts all in their one conversation.
    const threads: { conversation_id: string; n: number }[] = await database.db('message').where({ direction: 'inbound' })
      .groupBy('conversation_id').select('conversation_id', database.db.raw('count(*)::int as n'));
    expect(threads.map((t) => t.n)).toEqual(Array.from({ length: CUSTOMERS }, () => MESSAGES_EACH));

    // Every reply: one outbound request and one message per key, and exactly one send at Meta.
    const requests: { idempotency_key: string; state: string }[] = await database.db('outbound_request').select('idempotency_key', 'state');
    expect(requests.map((r) => r.idempotency_key).sort()).toEqual(replies.map((r) => r.key).sort());
    expect(requests.filter((r) => r.state !== 'accepted')).toEqual([]);
    const sentTexts = meta.state.sent.map((m) => (m.request.type === 'text' ? m.request.text.body : ''));
    expect(sentTexts.sort()).toEqual(replies.map((r) => r.text).sort());
    const [outbound] = await database.db('message').where({ direction: 'outbound' }).count({ n: '*' });
    expect(Number(outbound?.n)).toBe(replies.length);
  });
});

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
