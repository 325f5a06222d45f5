import { z } from 'zod';
import { errorFromResponse, fail, networkError, ok, type ZendeskResult } from './errors';

/**
 * node-zendesk 6.0.1 resolves and rejects in surprising ways (reference §5.2, and its dist source):
 * - any answer with a Retry-After header resolves, with an Error as the result (a 429, but also a 503);
 * - 400/401/403/404/405/409/422/429/500/503 reject (with `throwOriginalException`, an Error carrying
 *   `statusCode` and the parsed body as `result`);
 * - every other status (502, 504, …) resolves as if it were a success.
 * So the wrapper trusts only the HTTP status our response adapter records, never resolve/reject alone.
 */
export interface AdaptedResponse {
  status: number;
  statusText: string;
  retryAfter: string | null;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

const resolvedCall = z.object({
  response: z.looseObject({ status: z.number().int(), retryAfter: z.string().nullable() }),
  result: z.unknown(),
});
const rejectedWithAnswer = z.looseObject({ statusCode: z.number().int(), result: z.unknown() });

export interface NodeZendeskAnswer {
  status: number;
  /** The body after node-zendesk unwrapped its root key (`{ user }` → the user). */
  result: unknown;
}

export async function callNodeZendesk(call: () => Promise<unknown>): Promise<ZendeskResult<NodeZendeskAnswer>> {
  let raw: unknown;
  try {
    raw = await call();
  } catch (err) {
    const answered = rejectedWithAnswer.safeParse(err);
    return fail(answered.success ? errorFromResponse(answered.data.statusCode, null, answered.data.result) : networkError(err));
  }
  const parsed = resolvedCall.safeParse(raw);
  if (!parsed.success) return fail({ code: 'BAD_RESPONSE', message: 'node-zendesk resolved without a response' });
  const { response, result } = parsed.data;
  if (response.status < 200 || response.status >= 300) {
    // The Error node-zendesk resolves with carries the body as `result`.
    const body = result instanceof Error ? rejectedWithAnswer.safeParse(result).data?.result : result;
    return fail(errorFromResponse(response.status, response.retryAfter, body));
  }
  return ok({ status: response.status, result });
}

/** node-zendesk's transport, on global fetch with a timeout, keeping the status and Retry-After for us. */
export function fetchTransport(timeoutMs: number) {
  const options = z.looseObject({ method: z.string(), headers: z.record(z.string(), z.string()), body: z.string().optional() });
  return {
    transportFn: (uri: string, init: unknown): Promise<Response> => {
      const { method, headers, body } = options.parse(init);
      return fetch(uri, { method, headers, body, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    },
    responseAdapter: (res: Response): AdaptedResponse => ({
      status: res.status,
      statusText: res.statusText,
      retryAfter: res.headers.get('retry-after'),
      headers: { get: (name) => res.headers.get(name) },
      json: () => res.json(),
    }),
  };
}
