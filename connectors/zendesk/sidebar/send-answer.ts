import type { PlatformResponse, ReplyOutcome } from '../../../core/connectors/contract';

/** Refusals the agent can act on: nothing was sent, and the same request would fail the same way. */
const finalCodes = new Set([
  'WINDOW_CLOSED', 'CONSENT_REVOKED', 'NO_OPT_IN', 'TEMPLATE_NOT_APPROVED', 'TEMPLATE_PARAMS_INVALID', 'MEDIA_UNSUPPORTED', 'MEDIA_TOO_LARGE',
  'NUMBER_NEEDS_ATTENTION', 'RECIPIENT_UNKNOWN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_CONTENT',
]);

/**
 * A send core refused, as an agent reads it (the same sentence and codes as a channelback answer):
 * 422 when it will never go as it is, 503 when trying again may help.
 */
export function agentFacingFailure(outcome: Extract<ReplyOutcome, { ok: false }>): PlatformResponse {
  const hint = typeof outcome.details?.hint === 'string' ? ` ${outcome.details.hint}` : '';
  return {
    status: finalCodes.has(outcome.code) ? 422 : 503,
    body: { error: `Not sent to WhatsApp: ${outcome.message}.${hint}`, code: outcome.code, ...(outcome.details === undefined ? {} : { details: outcome.details }) },
  };
}
