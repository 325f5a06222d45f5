import type { PlatformResponse, ReplyOutcome } from '../../core/connectors/contract';

/** Refusals the agent can act on: nothing was sent, and the same request would fail the same way. */
const finalCodes = new Set([
  'WINDOW_CLOSED', 'CONSENT_REVOKED', 'NO_OPT_IN', 'TEMPLATE_NOT_APPROVED', 'TEMPLATE_PARAMS_INVALID', 'MEDIA_UNSUPPORTED', 'MEDIA_TOO_LARGE',
  'NUMBER_NEEDS_ATTENTION', 'RECIPIENT_UNKNOWN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_CONTENT', 'MEDIA_DOWNLOAD_FAILED',
]);

/** An answer an agent reads in Zendesk: `error` is the sentence; code and details are for the sidebar app and logs. */
export function agentAnswer(status: number, code: string, error: string, details?: PlatformResponse['body']): PlatformResponse {
  return { status, body: { error, code, ...(details === undefined ? {} : { details }) } };
}

/**
 * A send core refused, as an agent reads it (a channelback's answer, the sidebar's): 422 when it will
 * never go as it is, 503 when trying again may help. `sentBefore` says which parts of a reply already went.
 */
export function agentFacingFailure(outcome: Extract<ReplyOutcome, { ok: false }>, sentBefore = ''): PlatformResponse {
  const hint = typeof outcome.details?.hint === 'string' ? ` ${outcome.details.hint}` : '';
  return agentAnswer(finalCodes.has(outcome.code) ? 422 : 503, outcome.code, `Not sent to WhatsApp${sentBefore}: ${outcome.message}.${hint}`, outcome.details);
}
