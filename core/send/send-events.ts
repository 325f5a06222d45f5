import type { Knex } from 'knex';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import type { Sender } from './send-content';

/**
 * What connected platforms hear about a message Threadline sends. Emitted in the transaction
 * that stores (or fails) the message, so a platform sees it if and only if it happened.
 */

/** "One thread, every platform": a reply written anywhere appears everywhere, with who wrote it. */
export async function emitOutbound(
  trx: Knex.Transaction,
  args: {
    workspaceId: string; conversationId: string; messageId: string; originInstallationId: string | null; sender: Sender; type: string; text: string; replyTo: string | null;
    /** The customer, so a platform can file a message that starts a conversation under the right person. */
    contactId: string; waId: string | null;
    /** Set when it went out another way than WhatsApp (the SMS fallback), so a platform can say so. */
    channel?: 'sms';
  },
): Promise<void> {
  await emitConversationEvent(trx, {
    workspaceId: args.workspaceId,
    conversationId: args.conversationId,
    messageId: args.messageId,
    type: 'message.outbound',
    // The origin lets the installation that wrote the reply recognise its own echo.
    origin: args.originInstallationId,
    // No wamid yet: Meta has not seen the message. Its `message.status` events carry the wamid.
    data: { wamid: null, type: args.type, text: args.text, replyTo: args.replyTo, sender: { ...args.sender }, contactId: args.contactId, to: args.waId,
      ...(args.channel ? { channel: args.channel } : {}) },
  });
}

/**
 * A send that failed before Meta accepted it. Same event type and field names as a late
 * `failed` status (core/engine/apply-status.ts), so a platform handles both one way.
 */
export async function emitSendFailed(
  trx: Knex.Transaction,
  args: { workspaceId: string; conversationId: string; messageId: string; wamid: string | null; sender: Sender | null; error: { code: number | string; title: string; details: string } },
): Promise<void> {
  await emitConversationEvent(trx, {
    workspaceId: args.workspaceId,
    conversationId: args.conversationId,
    messageId: args.messageId,
    type: 'message.failed',
    data: {
      wamid: args.wamid,
      status: 'failed',
      at: new Date().toISOString(),
      errorCode: args.error.code,
      errorTitle: args.error.title,
      errorDetails: args.error.details,
      sender: args.sender ? { ...args.sender } : null,
    },
  });
}
