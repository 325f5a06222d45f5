/**
 * Zendesk's error answers, as its REST API sends them (shared/reference/zendesk.md §4, §4.7). The fake
 * never invents a friendlier shape: clients must cope with these exact bodies.
 */
export interface FakeZendeskError {
  status: number;
  /** JSON for the REST API; a string is sent as text/plain (Zendesk's 429 body is plain text). */
  body: unknown;
  headers?: Record<string, string>;
}

export interface FieldError {
  description: string;
  error: string;
}

export const unauthorized = (): FakeZendeskError => ({ status: 401, body: { error: "Couldn't authenticate you" } });

/** An expired, revoked or rotated-away OAuth access token. */
export const invalidToken = (): FakeZendeskError => ({
  status: 401,
  body: { error: 'invalid_token', error_description: 'The access token provided is expired, revoked, malformed or invalid for other reasons.' },
  headers: { 'WWW-Authenticate': 'Bearer realm="Doorkeeper", error="invalid_token"' },
});

export const forbidden = (): FakeZendeskError => ({
  status: 403,
  body: { error: 'Forbidden', description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.' },
});

export const notFound = (): FakeZendeskError => ({ status: 404, body: { error: 'RecordNotFound', description: 'Not found' } });

/** 422 RecordInvalid: `details` keyed by field, each an array of `{ description, error }`. */
export const recordInvalid = (details: Record<string, FieldError[]>): FakeZendeskError => ({
  status: 422,
  body: { error: 'RecordInvalid', description: 'Record validation errors', details },
});

/** The account-wide limit: text/plain body, Retry-After in seconds, remaining 0. */
export const rateLimited = (retryAfterSeconds: number, limit: number): FakeZendeskError => ({
  status: 429,
  body: 'Number of allowed API requests per minute exceeded',
  headers: { 'Retry-After': String(retryAfterSeconds), 'X-Rate-Limit': String(limit), 'X-Rate-Limit-Remaining': '0' },
});

/** A load balancer's answer during an outage: no JSON at all. */
export const unavailable = (status = 503): FakeZendeskError => ({ status, body: 'Service Unavailable' });

/** RFC 6749 §5.2 errors of the token endpoint (Zendesk runs Doorkeeper; these are its descriptions). */
export const oauthError = (
  error: 'invalid_grant' | 'invalid_client' | 'invalid_request' | 'unsupported_grant_type' | 'invalid_scope',
  description?: string,
): FakeZendeskError => {
  const descriptions: Record<typeof error, string> = {
    invalid_grant:
      'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
    invalid_request: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
    unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
    invalid_scope: 'The requested scope is invalid, unknown, or malformed.',
  };
  return { status: error === 'invalid_client' ? 401 : 400, body: { error, error_description: description ?? descriptions[error] } };
};

/** What `failNext` accepts: a named answer or a full one. */
export type ScriptedFailure = 'rate_limited' | 'unauthorized' | 'forbidden' | 'not_found' | 'unprocessable' | 'unavailable' | FakeZendeskError;

export function resolveFailure(failure: ScriptedFailure, retryAfterSeconds: number, limit: number): FakeZendeskError {
  switch (failure) {
    case 'rate_limited':
      return rateLimited(retryAfterSeconds, limit);
    case 'unauthorized':
      return unauthorized();
    case 'forbidden':
      return forbidden();
    case 'not_found':
      return notFound();
    case 'unprocessable':
      return recordInvalid({ base: [{ description: 'Scripted validation failure', error: 'InvalidValue' }] });
    case 'unavailable':
      return unavailable();
    default:
      return failure;
  }
}
