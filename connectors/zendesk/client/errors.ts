import { z } from 'zod';

/** What went wrong, as a code a caller can act on (STYLE.md: errors are values). */
export type ZendeskErrorCode =
  /** 429: wait `retryAfterMs`, costs no attempt. */
  | 'RATE_LIMITED'
  /** 401: token missing, expired or rotated away: refresh, or the admin re-authorises. */
  | 'UNAUTHORIZED'
  /** 403: the token lacks a scope. */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** 409: a `safe_update` whose `updated_stamp` is no longer the ticket's (someone updated it meanwhile): read it again. */
  | 'CONFLICT'
  /** 422 (or 400 from the REST API): `fieldErrors` says which field. */
  | 'UNPROCESSABLE'
  /** The token endpoint refused a code or refresh token (used, expired, another client's): re-authorise. */
  | 'INVALID_GRANT'
  /** 5xx, timeouts, connection failures, non-JSON where JSON was due. */
  | 'PLATFORM_UNAVAILABLE'
  /** A 2xx whose body is not what Zendesk documents. */
  | 'BAD_RESPONSE';

export interface FieldError {
  error: string;
  description: string;
}

export interface ZendeskError {
  code: ZendeskErrorCode;
  message: string;
  /** HTTP status, when Zendesk answered. */
  status?: number;
  /** From Retry-After; always set for RATE_LIMITED. */
  retryAfterMs?: number;
  /** 422 `details`, keyed by field. */
  fieldErrors?: Record<string, FieldError[]>;
}

export type ZendeskResult<T> = { ok: true; value: T } | { ok: false; error: ZendeskError };

export const ok = <T>(value: T): ZendeskResult<T> => ({ ok: true, value });
export const fail = <T>(error: ZendeskError): ZendeskResult<T> => ({ ok: false, error });

/** Zendesk's window is a minute; a 429 without Retry-After waits that long. */
const defaultRateLimitWaitMs = 60_000;

/** Retry-After in seconds (what Zendesk sends) or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const errorBody = z.looseObject({
  error: z.union([z.string(), z.looseObject({ title: z.string().optional(), message: z.string().optional() })]).optional(),
  description: z.string().optional(),
  error_description: z.string().optional(),
  details: z.record(z.string(), z.array(z.looseObject({ error: z.string().optional(), description: z.string().optional() }))).optional(),
});

/** Maps a non-2xx answer to an error value. `body` is parsed JSON, a string, or undefined. */
export function errorFromResponse(status: number, retryAfter: string | null | undefined, body: unknown): ZendeskError {
  const parsed = errorBody.safeParse(body);
  const fields = parsed.success ? parsed.data : undefined;
  const title = typeof fields?.error === 'string' ? fields.error : fields?.error?.title;
  const detail = fields?.description ?? fields?.error_description ?? (typeof fields?.error === 'object' ? fields.error.message : undefined);
  const text = typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : undefined;
  const fallback = status === 429 ? 'Zendesk rate limit exceeded (HTTP 429)' : `HTTP ${status}`;
  const message = [title, detail].filter((p) => p !== undefined && p !== '').join(': ') || text || fallback;
  const retryAfterMs = parseRetryAfter(retryAfter);

  if (status === 429) return { code: 'RATE_LIMITED', message, status, retryAfterMs: retryAfterMs ?? defaultRateLimitWaitMs };
  if (status === 401) return { code: 'UNAUTHORIZED', message, status };
  if (status === 403) return { code: 'FORBIDDEN', message, status };
  if (status === 404) return { code: 'NOT_FOUND', message, status };
  if (status === 409) return { code: 'CONFLICT', message, status };
  if (status === 400 && title === 'invalid_grant') return { code: 'INVALID_GRANT', message, status };
  if (status === 400 || status === 422) {
    const fieldErrors: Record<string, FieldError[]> = {};
    for (const [field, list] of Object.entries(fields?.details ?? {})) {
      fieldErrors[field] = list.map((e) => ({ error: e.error ?? 'Invalid', description: e.description ?? '' }));
    }
    return { code: 'UNPROCESSABLE', message, status, fieldErrors };
  }
  return { code: 'PLATFORM_UNAVAILABLE', message, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/** A request that never got an answer (connection refused, reset, timeout). */
export function networkError(err: unknown): ZendeskError {
  const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
  return { code: 'PLATFORM_UNAVAILABLE', message: timedOut ? 'Zendesk did not answer in time' : `Could not reach Zendesk: ${err instanceof Error ? err.message : String(err)}` };
}
