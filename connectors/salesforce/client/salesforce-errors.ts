import { z } from 'zod';
import { describeApiErrors, type SalesforceApiError, type SalesforceError, type SalesforceErrorCode } from '../salesforce-result';

/** jsforce's HttpApiError: `errorCode` is Salesforce's (or `ERROR_HTTP_<status>` for a body without one), `data` the error(s). */
const httpApiError = z.object({ errorCode: z.string(), message: z.string(), data: z.unknown() });
const apiError = z.object({
  errorCode: z.string().optional(),
  statusCode: z.string().optional(),
  message: z.string(),
  fields: z.array(z.string()).optional(),
});

/** Error codes that mean "not now" rather than "not this input". */
const unavailable = new Set(['SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'UNABLE_TO_LOCK_ROW', 'QUERY_TIMEOUT']);
const forbidden = new Set(['INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED', 'FUNCTIONALITY_NOT_ENABLED', 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY']);

/** One error of a body or of a collection's per-record result, in one shape. */
export function apiErrorOf(value: unknown): SalesforceApiError | undefined {
  const parsed = apiError.safeParse(value);
  if (!parsed.success) return undefined;
  return { errorCode: parsed.data.errorCode ?? parsed.data.statusCode ?? 'UNKNOWN', message: parsed.data.message, fields: parsed.data.fields ?? [] };
}

/** What a code means for the caller; `ERROR_HTTP_<status>` is what jsforce names a status with no error body. */
export function codeOf(errorCode: string): SalesforceErrorCode {
  if (errorCode === 'INVALID_SESSION_ID') return 'UNAUTHORIZED';
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') return 'RATE_LIMITED';
  if (errorCode === 'NOT_FOUND') return 'NOT_FOUND';
  if (forbidden.has(errorCode)) return 'FORBIDDEN';
  const status = /^ERROR_HTTP_(\d{3})$/.exec(errorCode)?.[1];
  if (status !== undefined) {
    if (status === '401') return 'UNAUTHORIZED';
    if (status === '404') return 'NOT_FOUND';
    return Number(status) >= 500 || status === '420' ? 'PLATFORM_UNAVAILABLE' : 'VALIDATION';
  }
  return unavailable.has(errorCode) ? 'PLATFORM_UNAVAILABLE' : 'VALIDATION';
}

/** Any failure of a jsforce call as a SalesforceError: Salesforce's errors kept with their fields for the admin. */
export function salesforceErrorOf(thrown: unknown, quotaRetryMs: number): SalesforceError {
  const parsed = httpApiError.safeParse(thrown);
  if (!parsed.success) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return { code: 'PLATFORM_UNAVAILABLE', message: `Salesforce could not be reached: ${message}` };
  }
  const { errorCode, data } = parsed.data;
  const listed = (Array.isArray(data) ? data : [data]).map(apiErrorOf).filter((e): e is SalesforceApiError => e !== undefined);
  const errors = listed.length ? listed : [{ errorCode, message: parsed.data.message.slice(0, 300), fields: [] }];
  // MULTIPLE_API_ERRORS: the most telling code decides (a spent quota or a dead session beats a field error).
  const codes = errors.map((e) => codeOf(e.errorCode));
  const code = (['UNAUTHORIZED', 'RATE_LIMITED', 'PLATFORM_UNAVAILABLE', 'FORBIDDEN', 'NOT_FOUND'] as const).find((c) => codes.includes(c)) ?? 'VALIDATION';
  return {
    code, message: describeApiErrors(errors), errors,
    ...(code === 'RATE_LIMITED' ? { retryAfterMs: quotaRetryMs } : {}),
  };
}
