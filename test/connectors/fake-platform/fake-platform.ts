import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { z } from 'zod';

/** One event as the fake platform stored it. */
export interface PlatformRecord {
  id: string;
  externalId: string;
  type: string;
  conversationId: string;
  own: boolean;
  data: Record<string, unknown>;
  receivedAt: number;
}

export interface RequestLogEntry {
  at: number;
  events: number;
  status: number;
}

export type ScriptedFailure = { status: 500 } | { status: 429; retryAfterSeconds: number };

export interface FakePlatformOptions {
  apiKey: string;
  /** Events accepted per request; more is a 413. */
  maxBatch?: number;
  responseMs?: number;
  /** At most `requests` in any sliding `windowMs`; beyond it a 429 with Retry-After. */
  limit?: { requests: number; windowMs: number };
}

export interface FakePlatform {
  url: string;
  records: PlatformRecord[];
  requests: RequestLogEntry[];
  /** Events sent again with an external id already stored (answered idempotently). */
  duplicates: number;
  /** Requests refused because the quota was exceeded. */
  quotaRefusals: number;
  /** Answers the next requests with these failures, in order. */
  failNext(...failures: ScriptedFailure[]): void;
  /** Refuses every request with 500 until `recover()`. */
  goDown(): void;
  recover(): void;
  /** Like an agent replying on the platform: POSTs the reply to Threadline signed with the shared secret. */
  postReply(url: string, secret: string, reply: { replyId: string; conversationId: string; text: string; agent: { id: string; name: string } }): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

const batchBody = z.object({
  events: z.array(z.object({
    external_id: z.string().min(1),
    type: z.string(),
    conversation_id: z.string(),
    own: z.boolean(),
    data: z.record(z.string(), z.unknown()),
  })),
});

/**
 * A platform speaking a small batch API, at the HTTP boundary: idempotent on external id, with a
 * batch limit, a response time, a request quota per window and scriptable outages.
 */
export async function startFakePlatform(options: FakePlatformOptions): Promise<FakePlatform> {
  const script: ScriptedFailure[] = [];
  let down = false;
  const byExternalId = new Map<string, PlatformRecord>();
  const threads = new Map<string, string>();
  const state = {
    records: [] as PlatformRecord[],
    requests: [] as RequestLogEntry[],
    duplicates: 0,
    quotaRefusals: 0,
  };
  const app = express();
  app.use(express.json({ limit: '10mb' }));
  app.post('/batch', async (req, res) => {
    const at = Date.now();
    const answer = (status: number, body: object, events = 0) => {
      state.requests.push({ at, events, status });
      res.status(status).json(body);
    };
    if (req.get('authorization') !== `Bearer ${options.apiKey}`) return answer(401, { error: 'bad api key' });
    const limit = options.limit;
    if (limit) {
      const inWindow = state.requests.filter((r) => r.at > at - limit.windowMs).length;
      if (inWindow >= limit.requests) {
        state.quotaRefusals++;
        res.set('retry-after', String(Math.ceil(limit.windowMs / 1000)));
        return answer(429, { error: 'quota exceeded' });
      }
    }
    const failure = down ? { status: 500 as const } : script.shift();
    if (failure?.status === 500) return answer(500, { error: 'platform unavailable' });
    if (failure?.status === 429) {
      res.set('retry-after', String(failure.retryAfterSeconds));
      return answer(429, { error: 'slow down' });
    }
    const parsed = batchBody.safeParse(req.body);
    if (!parsed.success) return answer(400, { error: parsed.error.message });
    const { events } = parsed.data;
    if (events.length > (options.maxBatch ?? 100)) return answer(413, { error: `at most ${options.maxBatch ?? 100} events per batch` }, events.length);
    if (options.responseMs) await sleep(options.responseMs);
    const results = events.map((e) => {
      const known = byExternalId.get(e.external_id);
      if (known) {
        state.duplicates++;
        return { external_id: e.external_id, status: 'duplicate', id: known.id, thread_id: threads.get(e.conversation_id) };
      }
      const threadId = threads.get(e.conversation_id) ?? `thread-${threads.size + 1}`;
      threads.set(e.conversation_id, threadId);
      const record: PlatformRecord = {
        id: `rec-${state.records.length + 1}`, externalId: e.external_id, type: e.type, conversationId: e.conversation_id, own: e.own, data: e.data, receivedAt: at,
      };
      byExternalId.set(e.external_id, record);
      state.records.push(record);
      return { external_id: e.external_id, status: 'created', id: record.id, thread_id: threadId };
    });
    answer(200, { results }, events.length);
  });
  const server: http.Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get records() { return state.records; },
    get requests() { return state.requests; },
    get duplicates() { return state.duplicates; },
    get quotaRefusals() { return state.quotaRefusals; },
    failNext: (...failures) => { script.push(...failures); },
    goDown: () => { down = true; },
    recover: () => { down = false; script.length = 0; },
    postReply: async (url, secret, reply) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-test-platform-secret': secret },
        body: JSON.stringify({ reply_id: reply.replyId, conversation_id: reply.conversationId, text: reply.text, agent: reply.agent }),
      });
      return { status: res.status, body: await res.json() };
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
