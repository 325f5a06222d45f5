import type { Knex } from 'knex';
import { MARK_READ_TASK } from '../receipts/mark-read-task';
import { MARK_READ_MAX_ATTEMPTS, enqueueJob } from './enqueue-job';
import type { MessageType } from './message-body';
import type { NumberSettings } from './number-settings';

/** Types that are not something a person wrote to us: no blue ticks for them. */
const NOT_READABLE: ReadonlySet<MessageType> = new Set(['reaction', 'system']);

/** `on_receipt` numbers send the read receipt as soon as a message is stored. */
export async function markReadOnReceipt(trx: Knex.Transaction, number: NumberSettings, messageId: string, type: MessageType): Promise<void> {
  if (number.readReceipts !== 'on_receipt' || NOT_READABLE.has(type)) return;
  await enqueueJob(trx, MARK_READ_TASK, { workspaceId: number.workspaceId, messageId }, MARK_READ_MAX_ATTEMPTS);
}

/**
 * `on_assign` numbers send it when someone takes the conversation: for its latest inbound
 * message, which marks the earlier ones read too.
 */
export async function markReadOnAssign(db: Knex, workspaceId: string, conversationId: string): Promise<boolean> {
  const result = await db.raw<{ rows: unknown[] }>(
    `select graphile_worker.add_job(?, json_build_object('workspaceId', c.workspace_id, 'messageId', m.id), max_attempts => ?)
       from conversation c
       join whatsapp_number n on n.id = c.whatsapp_number_id and n.workspace_id = c.workspace_id
       cross join lateral (
         select id from message
          where workspace_id = c.workspace_id and conversation_id = c.id and direction = 'inbound' and type not in ('reaction', 'system')
          order by sent_at desc
          limit 1
       ) m
      where c.workspace_id = ? and c.id = ? and n.read_receipts = 'on_assign'`,
    [MARK_READ_TASK, MARK_READ_MAX_ATTEMPTS, workspaceId, conversationId],
  );
  return result.rows.length > 0;
}
