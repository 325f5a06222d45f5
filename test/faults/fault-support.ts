import crypto from 'node:crypto';
import type { Db } from '../../core/db/connect';
import { signMetaPayload } from '../../core/whatsapp/verify-signature';
import { textWebhook } from '../admin/admin-helpers';
import { TEST_APP_SECRET } from '../support/test-runtime';

/** One inbound text as Meta would post it, with what the test needs to find it again. */
export interface InboundPost {
  wamid: string;
  from: string;
  body: string;
}

/**
 * `perCustomer` texts from each of `customers`, ordered as Meta sends them: message m of every customer, then
 * m + 1. Timestamps are recent (the 24-hour window is open) and increase per customer.
 */
export function inboundTexts(prefix: string, customers: number, perCustomer: number, firstCustomer = 15550300000): InboundPost[] {
  const start = Math.floor(Date.now() / 1000) - 3_600;
  const posts: InboundPost[] = [];
  for (let m = 0; m < perCustomer; m++) {
    for (let c = 0; c < customers; c++) {
      posts.push({ wamid: `wamid.${prefix}_${c}_${m}`, from: String(firstCustomer + c), body: `${prefix} ${c} message ${m} @${start + m}` });
    }
  }
  return posts;
}

/** Signed with the test app secret, as the runtime checks it. */
export async function postInbound(baseUrl: string, post: InboundPost): Promise<number> {
  const timestamp = Number(post.body.split('@')[1]);
  const body = textWebhook({ wamid: post.wamid, from: post.from, name: `Customer ${post.from}`, timestamp, body: post.body });
  return statusOf(fetch(`${baseUrl}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(body, TEST_APP_SECRET) },
    body,
    signal: AbortSignal.timeout(10_000),
  }));
}

/** The HTTP status, or 0 when the request never got an answer (connection refused or reset, timeout). */
export async function statusOf(request: Promise<Response>): Promise<number> {
  try {
    const res = await request;
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight, keeping each item's result. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Nothing left for the worker: no inbox event pending, no send queued. */
export async function drained(db: Db): Promise<boolean> {
  const [pending] = await db('inbox_event').where({ state: 'pending' }).count({ n: '*' });
  const [queued] = await db('outbound_request').where({ state: 'queued' }).count({ n: '*' });
  return Number(pending?.n) === 0 && Number(queued?.n) === 0;
}

/** Waits for `drained`; on a timeout the error shows what is stuck (events, sends and the queue's jobs). */
export async function waitForDrain(db: Db, what: string, timeoutMs = 60_000): Promise<void> {
  try {
    await waitFor(() => drained(db), what, timeoutMs);
  } catch (err) {
    const events = await db('inbox_event').whereNot({ state: 'processed' }).groupBy('state').select('state', db.raw('count(*)::int as n'));
    const sends = await db('outbound_request').where({ state: 'queued' }).select('attempts', 'next_attempt_at', 'last_error');
    const jobs = await db('graphile_worker.jobs').select('task_identifier', 'queue_name', 'attempts', 'max_attempts', 'locked_by', 'locked_at', 'run_at', 'last_error').limit(20);
    throw new Error(`${(err as Error).message}\n${JSON.stringify({ events, sends, jobs }, null, 1)}`, { cause: err });
  }
}

/** How many message rows and inbox events each wamid has (a missing wamid counts 0). */
export async function storedCounts(db: Db, wamids: readonly string[]): Promise<{ messages: Map<string, number>; events: Map<string, { n: number; processed: number }> }> {
  const messages = new Map(wamids.map((w) => [w, 0]));
  const rows: { wamid: string; n: number }[] = await db('message').whereIn('wamid', wamids).groupBy('wamid').select('wamid', db.raw('count(*)::int as n'));
  for (const r of rows) messages.set(r.wamid, r.n);
  const events = new Map(wamids.map((w) => [w, { n: 0, processed: 0 }]));
  const eventRows: { wamid: string; n: number; processed: number }[] = await db('inbox_event').where({ kind: 'message' })
    .whereRaw("payload->'message'->>'id' = any(?::text[])", [[...wamids]])
    .groupByRaw("payload->'message'->>'id'")
    .select(db.raw("payload->'message'->>'id' as wamid"), db.raw('count(*)::int as n'), db.raw("(count(*) filter (where state = 'processed'))::int as processed"));
  for (const r of eventRows) events.set(r.wamid, { n: r.n, processed: r.processed });
  return { messages, events };
}

export const randomKey = (): string => crypto.randomBytes(32).toString('base64');
