/**
 * What every Salesforce call answers: a value, or a failure as data (never a thrown jsforce error), so
 * callers decide per code (reference §6).
 */
export type SalesforceErrorCode =
  /** 401 INVALID_SESSION_ID: the access token expired or was revoked; refresh and retry once. */
  | 'UNAUTHORIZED'
  /** 403 REQUEST_LIMIT_EXCEEDED (Salesforce has no 429): the org's rolling 24-hour quota is spent. */
  | 'RATE_LIMITED'
  /** Other 403s: a permission or licence the connecting user lacks. */
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  /** 400 and the per-record errors of collections: Salesforce refused the input; the same will fail again. */
  | 'VALIDATION'
  /** The refresh token no longer works (revoked, idle 30 days, rotated token reused): an admin must reconnect. */
  | 'INVALID_GRANT'
  /** 5xx, timeouts, connection failures: worth a retry. */
  | 'PLATFORM_UNAVAILABLE'
  /** An answer without the documented shape. */
  | 'BAD_RESPONSE';

/** One of Salesforce's `[{ message, errorCode, fields }]` (or a collection record's `{ statusCode, message, fields }`). */
export interface SalesforceApiError {
  errorCode: string;
  message: string;
  fields: string[];
}

export interface SalesforceError {
  code: SalesforceErrorCode;
  /** For people: Salesforce's messages with their codes and fields. */
  message: string;
  status?: number;
  /** Salesforce's errors as sent, for the admin (field and code). */
  errors?: SalesforceApiError[];
  retryAfterMs?: number;
}

export type SalesforceResult<T> = { ok: true; value: T } | { ok: false; error: SalesforceError };

/** "REQUIRED_FIELD_MISSING on LastName: Required fields are missing: [LastName]"; one line per error. */
export function describeApiErrors(errors: readonly SalesforceApiError[]): string {
  return errors.map((e) => `${e.errorCode}${e.fields.length ? ` on ${e.fields.join(', ')}` : ''}: ${e.message}`).join('; ');
}
