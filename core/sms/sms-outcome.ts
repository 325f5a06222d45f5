import type { Knex } from 'knex';
import { supersedes } from '../engine/status-order';
import type { Sender } from '../send/send-content';
import { emitSendFailed } from '../send/send-events';
import { emitConversationEvent } from '../sync/emit-conversation-event';

/** Who an SMS fallback is from on the thread and the platforms. */
export const SMS_SENDER: Sender = { platform: 'threadline', id: 'sms-fallback', name: 'SMS fallback' };

export interface SmsFailure {
  /** Twilio's error code (21610 …), or ours (SMS_TOO_LONG …). */
  code: number | string;
  title: string;
  details: string;
}

/** The SMS failed for good: on its send row, on the thread message, and to the platforms (`message.failed`, as for WhatsApp). */
export async function failSms(db: Knex, workspaceId: string, sms: { id: string; message_id: string }, error: SmsFailure): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('sms_message').where({ id: sms.id }).update({ state: 'failed', last_error: JSON.stringify(error), updated_at: trx.fn.now() });
    const [failed]: { conversation_id: string }[] = await trx('message').where({ workspace_id: workspaceId, id: sms.message_id }).whereNot('status', 'failed').update({
      status: 'failed', status_at: trx.fn.now(), error_code: typeof error.code === 'number' ? error.code : null,
      error_title: typeof error.code === 'number' ? error.title : `${error.code}: ${error.title}`, error_details: error.details,
    }).returning('conversation_id');
    if (failed) await emitSendFailed(trx, { workspaceId, conversationId: failed.conversation_id, messageId: sms.message_id, wamid: null, sender: SMS_SENDER, error });
  });
}

/** Twilio's message statuses in our delivery vocabulary; queued, accepted, sending … say nothing new. */
const DELIVERY: Readonly<Record<string, string>> = { sent: 'sent', delivered: 'delivered', read: 'read', undelivered: 'failed', failed: 'failed', canceled: 'failed' };

/**
 * A status callback for an SMS (`MessageSid`, `MessageStatus`, `ErrorCode`): moves its thread message forward
 * (never back: status-order.ts) and tells the platforms. Returns false for a sid Threadline never sent.
 */
export async function applySmsStatus(db: Knex, callback: { sid: string; status: string; errorCode: number | undefined }): Promise<boolean> {
  const sms: { id: string; workspace_id: string; message_id: string } | undefined = await db('sms_message').where({ provider_sid: callback.sid }).first('id', 'workspace_id', 'message_id');
  if (!sms) return false;
  const status = DELIVERY[callback.status];
  if (status === 'failed') {
    await failSms(db, sms.workspace_id, sms, {
      code: callback.errorCode ?? 'SMS_UNDELIVERED', title: `The SMS was ${callback.status}`, details: callback.errorCode ? `Twilio error ${callback.errorCode}` : 'Twilio gave no error code',
    });
    return true;
  }
  if (!status) return true;
  await db.transaction(async (trx) => {
    const message: { status: string; conversation_id: string } | undefined = await trx('message').where({ id: sms.message_id }).forUpdate().first('status', 'conversation_id');
    if (!message || !supersedes(message.status, status)) return;
    await trx('message').where({ id: sms.message_id }).update({ status, status_at: trx.fn.now() });
    await trx('sms_message').where({ id: sms.id }).update({ updated_at: trx.fn.now() });
    await emitConversationEvent(trx, {
      workspaceId: sms.workspace_id, conversationId: message.conversation_id, messageId: sms.message_id, type: 'message.status',
      data: { wamid: null, status, at: new Date().toISOString(), errorCode: null, errorTitle: null, errorDetails: null, channel: 'sms' },
    });
  });
  return true;
}
