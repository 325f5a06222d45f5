import { z } from 'zod';

/** What a caller should do about a failed Graph call. */
export type GraphErrorKind = 'retryable' | 'permanent' | 'token';

/**
 * Why the call failed, for branching without parsing messages:
 * - `graph_error`: Meta answered with a Graph error body (see `code`)
 * - `http_status`: a non-2xx answer without a Graph error body (proxy page, empty 5xx)
 * - `media_url_expired`: a media download answered 404; fetch a fresh URL with `getMediaUrl` and retry
 * - `network` / `timeout`: no answer at all
 * - `unexpected_response`: a 2xx whose body does not match the documented shape
 * - `untrusted_url`: refused to send the token to a media URL outside Meta's hosts
 */
export type GraphErrorReason =
  | 'graph_error'
  | 'http_status'
  | 'media_url_expired'
  | 'network'
  | 'timeout'
  | 'unexpected_response'
  | 'untrusted_url';

/**
 * Codes worth retrying with backoff (reference §7.2): throughput 130429, pair rate 131056,
 * maintenance 131057, generic 131000, unavailable 131016, service 2, app rate 4, WABA rate 80007.
 */
const retryableCodes = new Set([130429, 131056, 131057, 131000, 131016, 2, 4, 80007]);
/** 190 = expired/invalid token, 0 = AuthException: retrying with the same token never helps. */
const tokenCodes = new Set([190, 0]);

/** Keyed on Meta's `error.code` only: HTTP statuses for the same code differ between sources (§7.2, §10.3). */
export function classifyGraphError(code: number | undefined, httpStatus: number | undefined): GraphErrorKind {
  if (code !== undefined) {
    if (tokenCodes.has(code)) return 'token';
    return retryableCodes.has(code) ? 'retryable' : 'permanent';
  }
  // No Graph body to go on (load balancer page, empty answer): fall back to the status class.
  if (httpStatus === undefined || httpStatus >= 500 || httpStatus === 429) return 'retryable';
  if (httpStatus === 401) return 'token';
  return 'permanent';
}

/** The synchronous error body (§7.1). Loose: Meta adds fields (is_transient, error_user_msg, …). */
export const graphErrorBodySchema = z.object({
  error: z.looseObject({
    message: z.string().optional(),
    type: z.string().optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
    fbtrace_id: z.string().optional(),
  }),
});
export type GraphErrorBody = z.infer<typeof graphErrorBodySchema>;

export interface GraphApiErrorInit {
  reason: GraphErrorReason;
  code?: number;
  subcode?: number;
  httpStatus?: number;
  details?: string;
  fbtraceId?: string;
  /** Overrides the code-based classification (e.g. an expired media URL is worth a retry). */
  kind?: GraphErrorKind;
  cause?: unknown;
}

export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly kind: GraphErrorKind;
  readonly reason: GraphErrorReason;
  /** Meta's `error.code`; undefined when Meta's body carried none (network, proxy, …). */
  readonly code: number | undefined;
  readonly subcode: number | undefined;
  /** Undefined when no HTTP answer arrived. */
  readonly httpStatus: number | undefined;
  /** `error.error_data.details`, the part Meta says to build logic on besides the code. */
  readonly details: string | undefined;
  readonly fbtraceId: string | undefined;

  constructor(message: string, init: GraphApiErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.reason = init.reason;
    this.code = init.code;
    this.subcode = init.subcode;
    this.httpStatus = init.httpStatus;
    this.details = init.details;
    this.fbtraceId = init.fbtraceId;
    this.kind = init.kind ?? classifyGraphError(init.code, init.httpStatus);
  }

  /** True when a media download URL has expired (404): refetch it with `getMediaUrl`. */
  get mediaUrlExpired(): boolean {
    return this.reason === 'media_url_expired';
  }

  static fromBody(body: GraphErrorBody, httpStatus: number): GraphApiError {
    const e = body.error;
    return new GraphApiError(`Graph API error ${e.code}: ${e.message ?? 'no message'}`, {
      reason: 'graph_error',
      code: e.code,
      subcode: e.error_subcode,
      httpStatus,
      details: e.error_data?.details,
      fbtraceId: e.fbtrace_id,
    });
  }
}
