import type { Knex } from 'knex';
import { z } from 'zod';
import { queueSmsFallback } from '../automation/sms-fallback';
import { queueTriggerCallback } from '../automation/trigger-jobs';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import type { WebhookStatus } from '../whatsapp/webhook-payload';
import { preparedQuery } from './prepared-query';
import { isDeliveryStatus, rankOf, rankSql, supersedes } from './status-order';

const statusDetail = z.object({
  errors: z.array(z.looseObject({
    code: z.coerce.number().optional(),
    title: z.string().optional(),
    message: z.string().optional(),
    error_data: z.looseObject({ details: z.string().optional() }).optional(),
  })).optional().catch(undefined),
  pricing: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

interface MessageError {
  code: number | null;
  title: string | null;
  details: string | null;
}

/** `failed` carries its reason in errors[0]; titles are being deprecated, so fall back to `message`. */
function errorOf(errors: unknown): MessageError {
  const first = statusDetail.shape.errors.parse(errors)?.[0];
  return { code: first?.code ?? null, title: first?.title ?? first?.message ?? null, details: first?.error_data?.details ?? null };
}

/**
 * Records a status webhook in `message_status` and moves its message forward in the same
 * statement. One row per status: of two copies with different timestamps the earliest is kept,
 * with its errors and pricing, and sets the message's `status_at`, so the order they arrive in
 * does not matter; a repeat changes nothing. When the message is not stored yet (the `sent`
 * webhook can beat the send path's commit), the row is kept with applied=false for
 * `applyPendingStatuses`.
 */
export async function applyStatus(trx: Knex.Transaction, workspaceId: string, status: WebhookStatus): Promise<void> {
  const { errors, pricing } = statusDetail.parse(status);
  const at = new Date(Number(status.timestamp) * 1000);
  const error = status.status === 'failed' ? errorOf(errors) : { code: null, title: null, details: null };
  const moves = isDeliveryStatus(status.status)
    ? `, moved as (
         update message m set status = ?, status_at = ?, error_code = ?, error_title = ?, error_details = ?
           from target t
          where m.id = t.id
            and ((t.status <> 'failed' and ${rankSql('t.status')} < ?)
              or (t.status = ? and (t.status_at is null or t.status_at > ?::timestamptz)))
         returning m.id, m.conversation_id, m.sent_by
       )`
    : '';
  const moveBindings = isDeliveryStatus(status.status)
    ? [status.status, at, error.code, error.title, error.details, rankOf(status.status), status.status, at]
    : [];
  const result = await preparedQuery<{ applied: boolean | null; moved_id: string | null; moved_conversation_id: string | null; moved_sent_by: unknown }>(trx,
    `with target as (
       select id, status, status_at from message where workspace_id = ? and wamid = ? for update
     )${moves},
     recorded as (
       insert into message_status as s (workspace_id, wamid, status, occurred_at, errors, pricing, recipient_id, applied)
       select ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, exists(select 1 from target)
       on conflict (workspace_id, wamid, status) do update set
         occurred_at = excluded.occurred_at, errors = excluded.errors, pricing = excluded.pricing, recipient_id = excluded.recipient_id
       where s.occurred_at > excluded.occurred_at
       returning applied
     )
     select (select applied from recorded) as applied, ${moves ? '(select id from moved)' : 'null::uuid'} as moved_id,
            ${moves ? '(select conversation_id from moved)' : 'null::uuid'} as moved_conversation_id,
            ${moves ? '(select sent_by from moved)' : 'null::jsonb'} as moved_sent_by`,
    [
      workspaceId, status.id, ...moveBindings,
      workspaceId, status.id, status.status, at, errors ? JSON.stringify(errors) : null, pricing ? JSON.stringify(pricing) : null,
      status.recipient_id || status.recipient_user_id || null,
    ],
  );
  const row = result.rows[0];
  if (row?.moved_id && row.moved_conversation_id) {
    await emitStatusChange(trx, workspaceId, { id: row.moved_id, conversationId: row.moved_conversation_id, wamid: status.id, status: status.status, at, error, sentBy: row.moved_sent_by });
  }
  if (row?.applied === false) await applyPendingStatuses(trx, workspaceId, status.id);
}

/** Who sent an outbound message (send-content.ts's sender), as the failure event names them. */
const sentBy = z.object({ platform: z.string(), id: z.string(), name: z.string() });

/**
 * Connected platforms show delivery progress; a failure is its own event carrying who sent the
 * message, the same shape as a send that failed before Meta took it (core/send/send-events.ts),
 * so it reaches whoever sent it.
 */
async function emitStatusChange(
  trx: Knex.Transaction, workspaceId: string, message: { id: string; conversationId: string; wamid: string; status: string; at: Date; error: MessageError; sentBy: unknown },
): Promise<void> {
  const failed = message.status === 'failed';
  const sender = failed ? sentBy.safeParse(message.sentBy) : null;
  await emitConversationEvent(trx, {
    workspaceId, conversationId: message.conversationId, messageId: message.id, type: failed ? 'message.failed' : 'message.status',
    data: {
      wamid: message.wamid, status: message.status, at: message.at.toISOString(), errorCode: message.error.code, errorTitle: message.error.title, errorDetails: message.error.details,
      ...(failed ? { sender: sender?.success ? { ...sender.data } : null } : {}),
    },
  });
  if (sender?.success) await queueTriggerCallback(trx, workspaceId, message.id, sender.data);
  if (failed) await queueSmsFallback(trx, workspaceId, message.id, message.error.code);
}

interface PendingStatus {
  id: number;
  status: string;
  occurred_at: Date;
  errors: unknown;
}

/**
 * Applies statuses that arrived before their message. The send path calls it right after
 * inserting an outbound message, in the same transaction. Both sides take the same advisory
 * lock before looking, so whichever commits second sees the other's row: a status is never
 * left pending next to a stored message.
 */
export async function applyPendingStatuses(trx: Knex.Transaction, workspaceId: string, wamid: string): Promise<number> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`message_status:${workspaceId}:${wamid}`]);
  const message: { id: string; conversation_id: string; status: string; status_at: Date | null; sent_by: unknown } | undefined = await trx('message')
    .where({ workspace_id: workspaceId, wamid }).forUpdate().first('id', 'conversation_id', 'status', 'status_at', 'sent_by');
  if (!message) return 0;
  const pending: PendingStatus[] = await trx('message_status')
    .where({ workspace_id: workspaceId, wamid, applied: false })
    .select('id', 'status', 'occurred_at', 'errors');
  if (pending.length === 0) return 0;
  // One row per status and `supersedes` a strict order: the highest-ranked row that moves the
  // message, or an earlier copy of its current status, wins whatever order the rows came in.
  let winner: PendingStatus | null = null;
  for (const row of pending) {
    const moves = supersedes(message.status, row.status)
      || (row.status === message.status && (!message.status_at || row.occurred_at < message.status_at));
    if (moves && (!winner || rankOf(row.status) > rankOf(winner.status))) winner = row;
  }
  if (winner) {
    const error = winner.status === 'failed' ? errorOf(winner.errors) : { code: null, title: null, details: null };
    await trx('message').where({ workspace_id: workspaceId, id: message.id }).update({
      status: winner.status, status_at: winner.occurred_at, error_code: error.code, error_title: error.title, error_details: error.details,
    });
    await emitStatusChange(trx, workspaceId, { id: message.id, conversationId: message.conversation_id, wamid, status: winner.status, at: winner.occurred_at, error, sentBy: message.sent_by });
  }
  await trx('message_status').where({ workspace_id: workspaceId }).whereIn('id', pending.map((p) => p.id)).update({ applied: true });
  return pending.length;
}
