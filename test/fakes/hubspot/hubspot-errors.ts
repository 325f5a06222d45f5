import crypto from 'node:crypto';

/**
 * HubSpot's error answers (shared/reference/hubspot.md §7.5 and the error-handling doc it cites): JSON
 * `{ status: 'error', message, correlationId, category, errors?, context?, links? }`. The fake never invents a
 * friendlier shape: clients must cope with these exact bodies. Messages marked [U] in the README are taken from
 * answers HubSpot has been seen to give, not from a documented contract.
 */
export interface FakeHubSpotError {
  status: number;
  /** JSON body; a string is sent as text/html (an edge proxy's page during an outage). */
  body: unknown;
  headers?: Record<string, string>;
}

export interface ErrorDetail {
  message: string;
  in?: string;
  code?: string;
  subCategory?: string;
  context?: Record<string, unknown>;
}

export function hubspotError(status: number, category: string, message: string, extra: Record<string, unknown> = {}): FakeHubSpotError {
  return { status, body: { status: 'error', message, correlationId: crypto.randomUUID(), category, ...extra } };
}

/** No token, or one HubSpot never issued (also a revoked one). */
export const invalidAuthentication = (): FakeHubSpotError =>
  hubspotError(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );

export const expiredAuthentication = (expiredAtMs: number, nowMs: number): FakeHubSpotError =>
  hubspotError(401, 'EXPIRED_AUTHENTICATION', `The OAuth token used to make this call expired ${Math.max(0, Math.floor((nowMs - expiredAtMs) / 1000))} second(s) ago.`, {
    context: { 'expire time': [new Date(expiredAtMs).toISOString()] },
  });

export const missingScopes = (requiredScopes: string[]): FakeHubSpotError =>
  hubspotError(
    403,
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [{ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: requiredScopes } }],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    },
  );

export const objectNotFound = (id: string): FakeHubSpotError =>
  hubspotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', { context: { id: [id] } });

export const validationError = (message: string, errors?: ErrorDetail[]): FakeHubSpotError =>
  hubspotError(400, 'VALIDATION_ERROR', message, errors === undefined ? {} : { errors });

export const conflict = (message: string): FakeHubSpotError => hubspotError(409, 'CONFLICT', message);

/** Unknown path: HubSpot's gateway answers 404 with an empty body. */
export const unknownRoute = (): FakeHubSpotError => ({ status: 404, body: '' });

/** The 110-per-10-seconds limit (§7.5): `errorType` and `policyName`, no `category`. */
export const tenSecondlyLimit = (): FakeHubSpotError => rateLimit('You have reached your ten_secondly_rolling limit.', 'TEN_SECONDLY_ROLLING');

/** The daily limit: a client must never retry it in a loop (§7.5). */
export const dailyLimit = (): FakeHubSpotError => rateLimit('You have reached your daily limit.', 'DAILY');

/** CRM search's own 5-per-second limit; the SDK recognises it by this exact message (§8.2). */
export const searchLimit = (): FakeHubSpotError => rateLimit('You have reached your secondly limit.', 'SECONDLY');

function rateLimit(message: string, policyName: string): FakeHubSpotError {
  return { status: 429, body: { status: 'error', message, errorType: 'RATE_LIMIT', correlationId: crypto.randomUUID(), policyName } };
}

export const serverError = (): FakeHubSpotError => hubspotError(500, 'INTERNAL_ERROR', 'internal error');

/** An edge proxy's answer during an outage: an HTML page, not JSON. */
export const unavailable = (status = 503): FakeHubSpotError => ({ status, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>' });

/**
 * The OAuth endpoints' errors: 400 VALIDATION_ERROR as the 2026-03 spec shows. `subCategory` carries the
 * reason the v1 endpoint named in `status` (BAD_AUTH_CODE…) [U: the 2026-03 subCategory values].
 */
export type OAuthErrorReason = 'BAD_AUTH_CODE' | 'BAD_REFRESH_TOKEN' | 'BAD_CLIENT_ID' | 'BAD_CLIENT_SECRET' | 'BAD_REDIRECT_URI' | 'BAD_GRANT_TYPE' | 'MISSING_PARAMETER';

const oauthMessages: Record<OAuthErrorReason, string> = {
  BAD_AUTH_CODE: 'missing or unknown auth code',
  BAD_REFRESH_TOKEN: 'missing or invalid refresh token',
  BAD_CLIENT_ID: 'missing or unknown client id',
  BAD_CLIENT_SECRET: 'client secret does not match the client id',
  BAD_REDIRECT_URI: 'redirect_uri does not match the redirect_uri the auth code was issued for',
  BAD_GRANT_TYPE: 'grant_type must be authorization_code or refresh_token',
  MISSING_PARAMETER: 'a required parameter is missing',
};

export const oauthError = (reason: OAuthErrorReason, detail?: string): FakeHubSpotError =>
  hubspotError(400, 'VALIDATION_ERROR', detail === undefined ? oauthMessages[reason] : `${oauthMessages[reason]}: ${detail}`, { subCategory: reason });

/** What `failNext` accepts: a named answer or a full one. */
export type ScriptedFailure = 'rate_limited' | 'daily_limit' | 'search_limit' | 'unauthorized' | 'forbidden' | 'not_found' | 'server_error' | 'unavailable' | FakeHubSpotError;

export function resolveFailure(failure: ScriptedFailure): FakeHubSpotError {
  switch (failure) {
    case 'rate_limited':
      return tenSecondlyLimit();
    case 'daily_limit':
      return dailyLimit();
    case 'search_limit':
      return searchLimit();
    case 'unauthorized':
      return invalidAuthentication();
    case 'forbidden':
      return missingScopes(['crm.objects.contacts.write']);
    case 'not_found':
      return objectNotFound('0');
    case 'server_error':
      return serverError();
    case 'unavailable':
      return unavailable();
    default:
      return failure;
  }
}
