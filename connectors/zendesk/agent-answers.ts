import type { PlatformResponse, ReplyOutcome } from '../../core/connectors/contract';
import { isFinalRefusal } from '../../core/connectors/reply-refusals';

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
  return agentAnswer(isFinalRefusal(outcome.code) ? 422 : 503, outcome.code, `Not sent to WhatsApp${sentBefore}: ${outcome.message}.${hint}`, outcome.details);
}
