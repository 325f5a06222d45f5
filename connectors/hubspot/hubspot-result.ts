/**
 * What every HubSpot call answers: a value, or a failure as data (never a thrown SDK error), so callers
 * decide per code. `RATE_LIMITED` always carries `retryAfterMs` (HubSpot sends no Retry-After on most
 * 429s: the client derives it from the X-HubSpot-RateLimit-* headers or its window, reference §7.5).
 */
export type HubSpotErrorCode =
  | 'RATE_LIMITED'
  /** The access token was refused (expired, revoked): refresh, or re-install when refreshing fails. */
  | 'UNAUTHORIZED'
  /** A scope the portal did not grant (MISSING_SCOPES), or a tier without the feature. */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** HubSpot refused the input (400/409/422 with its `category`/`subCategory`); retrying the same will not help. */
  | 'VALIDATION'
  /** The refresh token no longer works: the app was uninstalled or the grant revoked (§1.5). */
  | 'INVALID_GRANT'
  /** 5xx, timeouts, connection failures: worth a retry. */
  | 'PLATFORM_UNAVAILABLE'
  /** An answer that does not have the documented shape. */
  | 'BAD_RESPONSE';

export interface HubSpotError {
  code: HubSpotErrorCode;
  message: string;
  status?: number;
  retryAfterMs?: number;
  /** HubSpot's `category` / `subCategory`, when it sent them. */
  category?: string;
  subCategory?: string;
  correlationId?: string;
}

export type HubSpotResult<T> = { ok: true; value: T } | { ok: false; error: HubSpotError };
