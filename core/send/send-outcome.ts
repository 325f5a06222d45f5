import type { Knex } from 'knex';
import { queueSmsFallback } from '../automation/sms-fallback';
import { queueTriggerCallback } from '../automation/trigger-jobs';
import { applyPendingStatuses } from '../engine/apply-status';
import { senderSchema } from './send-content';
import { emitSendFailed } from './send-events';

/** Why a send failed for good, in the message's error columns (Meta's code when it gave one). */
export interface SendFailure {
  /** Meta's error code, or ours (MEDIA_TOO_LARGE …) when Meta never saw the message. */
  code: number | string;
  title: string;
  details: string;
}

/** Meta took the message: store its wamid and apply any status webhooks that beat this commit. */
export async function markAccepted(db: Knex, workspaceId: string, requestId: string, messageId: string, wamid: string, attempts: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('message').where({ workspace_id: workspaceId, id: messageId }).update({ wamid });
    await trx('outbound_request').where({ workspace_id: workspaceId, id: requestId })
      .update({ state: 'accepted', attempts, last_error: null, in_flight_at: null, outcome_wait_since: null, updated_at: trx.fn.now() });
    await applyPendingStatuses(trx, workspaceId, wamid);
  });
}

/**
 * Fails the message for good, and tells every connected platform (`message.failed`, with the
 * sender) in the same transaction. The message_failed_audit trigger audits it, as it audits a
 * late failed status. Only the update that moves the message to `failed` emits: a message a late
 * status webhook already failed (apply-status.ts emitted then) is not reported twice.
 */
export async function markFailed(db: Knex, args: { workspaceId: string; requestId: string; messageId: string; conversationId: string; attempts: number; failure: SendFailure }): Promise<void> {
  const { failure } = args;
  await db.transaction(async (trx) => {
    await trx('outbound_request').where({ workspace_id: args.workspaceId, id: args.requestId }).update({
      state: 'failed', attempts: args.attempts, last_error: JSON.stringify({ code: failure.code, message: failure.title, details: failure.details }), in_flight_at: null, updated_at: trx.fn.now(),
    });
    const [failed]: { wamid: string | null; sent_by: unknown }[] = await trx('message').where({ workspace_id: args.workspaceId, id: args.messageId }).whereNot('status', 'failed').update({
      status: 'failed',
      status_at: trx.fn.now(),
      error_code: typeof failure.code === 'number' ? failure.code : null,
      error_title: typeof failure.code === 'number' ? failure.title : `${failure.code}: ${failure.title}`,
      error_details: failure.details,
    }).returning(['wamid', 'sent_by']);
    if (failed) {
      const sender = senderSchema.safeParse(failed.sent_by);
      await emitSendFailed(trx, {
        workspaceId: args.workspaceId, conversationId: args.conversationId, messageId: args.messageId, wamid: failed.wamid,
        sender: sender.success ? sender.data : null, error: failure,
      });
      await queueTriggerCallback(trx, args.workspaceId, args.messageId, sender.success ? sender.data : null);
      await queueSmsFallback(trx, args.workspaceId, args.messageId, failure.code);
    }
    // 131047 is authoritative over our clock (§6.4): the window is closed, whatever we computed.
    if (failure.code === 131047) {
      await trx('conversation').where({ workspace_id: args.workspaceId, id: args.conversationId }).where('window_expires_at', '>', trx.fn.now())
        .update({ window_expires_at: trx.fn.now() });
    }
  });
}

/** A retryable refusal: remember it and try again after `delayMs`. */
export async function recordRetry(db: Knex, workspaceId: string, requestId: string, attempts: number, delayMs: number, error: { code: number | string | null; message: string; details: string | null }): Promise<void> {
  await db('outbound_request').where({ workspace_id: workspaceId, id: requestId }).update({
    attempts,
    next_attempt_at: db.raw('now() + make_interval(secs => ?)', [delayMs / 1000]),
    last_error: JSON.stringify(error),
    in_flight_at: null, // Meta answered (or never got it): the next attempt may send
    updated_at: db.fn.now(),
  });
}
