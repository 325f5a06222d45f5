import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { WebhookPost } from './webhook-posts';

/** What happened to one POST. Times are performance.now() milliseconds. */
export interface PostResult {
  post: WebhookPost;
  /** 0 when the request failed without an HTTP answer (reset, timeout). */
  status: number;
  /** When the request should have gone out (open loop) or went out (closed loop). */
  scheduledAt: number;
  sentAt: number;
  doneAt: number;
  responseText: string;
}

export interface LoadRun {
  mode: 'closed' | 'open';
  startedAt: number;
  /** When the last answer arrived. */
  endedAt: number;
  results: PostResult[];
  /** Closed loop: the pre-built POSTs ran out before the time did. */
  exhausted: boolean;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** A keep-alive HTTP client for one server, one phase. */
export class WebhookClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, maxSockets: number) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' });
  }

  post(post: WebhookPost): Promise<{ status: number; text: string }> {
    return new Promise((resolve) => {
      let settled = false;
      const finish = (status: number, text: string) => {
        if (settled) return;
        settled = true;
        resolve({ status, text });
      };
      const req = http.request({
        agent: this.agent,
        host: this.host,
        port: this.port,
        path: '/webhooks/whatsapp',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': post.body.length, 'x-hub-signature-256': post.signature },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        res.on('error', (error) => finish(0, error.message));
      });
      req.on('error', (error) => finish(0, error.message));
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.end(post.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Closed loop: `concurrency` connections each send the next POST as soon as the previous answer
 * arrives, for `seconds`. With `cycle`, the POSTs are reused from the start when they run out
 * (for the baseline, which stores nothing); otherwise the phase ends when they run out.
 */
export async function closedLoop(baseUrl: string, posts: WebhookPost[], options: { concurrency: number; seconds: number; cycle?: boolean }): Promise<LoadRun> {
  const client = new WebhookClient(baseUrl, options.concurrency);
  const results: PostResult[] = [];
  const startedAt = performance.now();
  const deadline = startedAt + options.seconds * 1000;
  let next = 0;
  let exhausted = false;
  const connection = async () => {
    for (;;) {
      if (performance.now() >= deadline) return;
      if (next >= posts.length && !options.cycle) {
        exhausted = true;
        return;
      }
      const post = posts[next++ % posts.length];
      if (!post) return;
      const sentAt = performance.now();
      const { status, text } = await client.post(post);
      results.push({ post, status, scheduledAt: sentAt, sentAt, doneAt: performance.now(), responseText: text });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, connection));
  client.close();
  return { mode: 'closed', startedAt, endedAt: results.reduce((max, r) => Math.max(max, r.doneAt), startedAt), results, exhausted };
}

/**
 * Open loop: POST i goes out at the time its first new event is due at `rate` distinct events/s,
 * whether or not earlier POSTs were answered (redeliveries ride along with the next POST).
 * Latency counts from that scheduled time, so a slow server cannot slow the offered load down
 * and hide its own queueing (no coordinated omission).
 */
export async function openLoop(
  baseUrl: string, posts: WebhookPost[], options: { rate: number; maxSockets?: number; onProgress?: (sent: number) => void },
): Promise<LoadRun> {
  const client = new WebhookClient(baseUrl, options.maxSockets ?? 512);
  const schedule: number[] = [];
  let offered = 0;
  for (const post of posts) {
    schedule.push((offered / options.rate) * 1000);
    offered += post.newEvents;
  }
  const results: PostResult[] = [];
  const inflight = new Set<Promise<void>>();
  const startedAt = performance.now();
  const fire = (post: WebhookPost, scheduledAt: number) => {
    const sentAt = performance.now();
    const request = client.post(post).then(({ status, text }) => {
      results.push({ post, status, scheduledAt, sentAt, doneAt: performance.now(), responseText: text });
      inflight.delete(request);
    });
    inflight.add(request);
  };
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      while (i < posts.length && startedAt + (schedule[i] ?? 0) <= now) {
        const post = posts[i];
        if (post) fire(post, startedAt + (schedule[i] ?? 0));
        i++;
      }
      options.onProgress?.(i);
      if (i >= posts.length) {
        resolve();
        return;
      }
      const wait = startedAt + (schedule[i] ?? 0) - performance.now();
      setTimeout(tick, Math.max(0, wait - 1));
    };
    tick();
  });
  while (inflight.size > 0) await Promise.all([...inflight]);
  client.close();
  return { mode: 'open', startedAt, endedAt: results.reduce((max, r) => Math.max(max, r.doneAt), startedAt), results, exhausted: false };
}
