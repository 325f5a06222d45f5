import type { Knex } from 'knex';
import { findOrStartConversation } from '../engine/start-conversation';
import type { SendError } from '../send/send-error';
import { send, type SendResult } from '../send/send-message';

/** Who sent a trigger's messages (`sent_by`): a failure event names it, which is how its callback is found. */
export const TRIGGER_SENDER_PREFIX = 'trigger:';

/** What happens when the customer does not answer in `afterHours`: a reminder template is sent, or the owner gets a task. */
export type FollowUp = { afterHours: number; content: unknown } | { afterHours: number; assignTask: true };

/** A trigger call as stored (trigger_request): what to send, to whom, from which number. */
export interface TriggerRequestRow {
  id: string;
  workspace_id: string;
  idempotency_key: string;
  trigger_name: string;
  whatsapp_number_id: string;
  wa_id: string;
  content: unknown;
  callback_url: string | null;
  follow_up: FollowUp | null;
  honours_quiet_hours: boolean;
  message_id: string | null;
}

/**
 * Sends a trigger's template (or its follow-up, `keySuffix`) with guard rails, starting the conversation when the
 * customer has none on the number. Conversation and message commit together: a refusal (opted out, capped, quiet
 * hours …) rolls it all back and leaves no empty conversation.
 */
export async function sendTriggerTemplate(
  deps: { db: Knex; now?: () => Date }, row: TriggerRequestRow, content: unknown, keySuffix = '',
): Promise<SendResult> {
  const trx = await deps.db.transaction();
  try {
    const number: { phone_number_id: string } | undefined = await trx('whatsapp_number').where({ workspace_id: row.workspace_id, id: row.whatsapp_number_id }).first('phone_number_id');
    const conversationId = number && await findOrStartConversation(trx, { workspaceId: row.workspace_id, phoneNumberId: number.phone_number_id, waId: row.wa_id });
    const result: SendResult = conversationId
      ? await send({ db: trx, ...(deps.now ? { now: deps.now } : {}) }, {
        workspaceId: row.workspace_id,
        conversationId,
        idempotencyKey: `trigger:${row.idempotency_key}${keySuffix}`,
        sender: { platform: 'threadline', id: `${TRIGGER_SENDER_PREFIX}${row.trigger_name}`, name: `Trigger ${row.trigger_name}` },
        content,
        guardRails: { scope: 'always', quietHours: row.honours_quiet_hours },
      })
      : { ok: false, error: { code: 'NOT_FOUND', message: 'The trigger\'s WhatsApp number was removed from this workspace', hint: 'Point the trigger at a connected number' } };
    if (result.ok) await trx.commit();
    else await trx.rollback();
    return result;
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback();
    throw error;
  }
}

/** A refusal as a trigger caller sees it: in its answer, or in a callback when it came later. */
export function refusalJson(error: SendError): { code: string; message: string; hint: string } {
  return { code: error.code, message: error.message, hint: error.hint };
}
