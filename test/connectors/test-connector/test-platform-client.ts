import { z } from 'zod';
import type { BatchOutcome, SyncEvent } from '../../../core/connectors/contract';

const batchAnswer = z.object({
  results: z.array(z.object({ external_id: z.string(), status: z.enum(['created', 'duplicate']), id: z.string(), thread_id: z.string().optional() })),
});

/** Retry-After in seconds (fractions allowed, as the fake sends them) or as an HTTP date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The test platform's batch API, with its answers mapped onto the contract's outcomes. */
export class TestPlatformClient {
  constructor(private readonly baseUrl: string, private readonly apiKey: string) {}

  async postBatch(events: readonly SyncEvent[], signal: AbortSignal): Promise<BatchOutcome> {
    const res = await fetch(`${this.baseUrl}/batch`, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({
        events: events.map((e) => ({ external_id: e.externalId, type: e.type, conversation_id: e.conversationId, own: e.origin.own, data: e.data })),
      }),
    });
    if (res.status === 429) return { ok: false, error: { code: 'RATE_LIMITED', message: 'test platform: 429', retryAfterMs: retryAfterMs(res.headers.get('retry-after')) } };
    if (res.status >= 500) return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: `test platform: ${res.status}` } };
    if (!res.ok) return { ok: false, error: { code: 'BATCH_REJECTED', message: `test platform: ${res.status} ${await res.text()}` } };
    const answer = batchAnswer.parse(await res.json());
    const byExternalId = new Map(answer.results.map((r) => [r.external_id, r]));
    return {
      ok: true,
      results: events.map((e) => {
        const result = byExternalId.get(e.externalId);
        if (!result) return { status: 'retry', error: 'the platform did not answer for this event' };
        const links = [];
        if (e.messageId) links.push({ entityType: 'message' as const, entityId: e.messageId, externalType: 'timeline_entry', externalId: result.id });
        if (result.thread_id) links.push({ entityType: 'conversation' as const, entityId: e.conversationId, externalType: 'thread', externalId: result.thread_id });
        return { status: 'delivered', links };
      }),
    };
  }
}
