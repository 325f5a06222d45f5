import type { Knex } from 'knex';
import { enqueueInboundAutomation } from '../automation/inbound-automation';
import type { InboxPayload } from '../inbox/inbox-event';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import type { WebhookContact, WebhookMessage } from '../whatsapp/webhook-payload';
import { applyReaction } from './apply-reaction';
import { changeContactNumber, newNumberIn } from './change-number';
import { consentKeywordIn } from './consent-keywords';
import type { ContactRow } from './contact-row';
import { customerActor } from './customer-actor';
import { findThread, upsertSenderAndFindThread, type ThreadLookup } from './find-thread';
import { mediaOf, parseMessageBody, type MessageBody } from './message-body';
import { messageContextOf } from './message-context';
import { messageText } from './message-text';
import { numberSettings, type NumberSettings } from './number-settings';
import { placeInThread } from './place-in-thread';
import { markReadOnReceipt } from './read-receipts';
import { recordConsent } from './record-consent';
import { hasSingleId, identityOf, resolveContact } from './resolve-contact';
import { storeMedia } from './store-media';
import { storeInboundMessage } from './store-message';

type MessagePayload = Extract<InboxPayload, { kind: 'message' }>;

/**
 * Stores one inbound message: contact, thread, message row, then what follows from it
 * (reaction, media download, consent keyword, read receipt, automations). The common path is two round
 * trips: contact upsert with the thread lookup, then the thread update with the message insert.
 */
export async function ingestMessage(trx: Knex.Transaction, workspaceId: string, payload: MessagePayload): Promise<void> {
  const { message } = payload;
  const number = await numberSettings(trx, workspaceId, payload.phoneNumberId);
  const body = parseMessageBody(message);
  const at = new Date(Number(message.timestamp) * 1000);
  const target = { workspaceId, numberId: number.id, wamid: message.id };

  const { contact, lookup } = await senderAndThread(trx, target, body, message, payload.contact, at);
  if (lookup.duplicate) return; // this wamid is stored already

  const threadWrite = await placeInThread(trx, { workspaceId, contactId: contact.id, number, at, lookup });
  const stored = await storeInboundMessage(trx, threadWrite, {
    workspaceId, wamid: message.id, body, text: messageText(body), context: messageContextOf(message), sentAt: at,
  });
  if (!stored) return;
  await emitConversationEvent(trx, {
    workspaceId, conversationId: null, type: 'message.inbound', messageId: stored.id,
    data: { wamid: message.id, type: body.type, text: messageText(body), sentAt: at.toISOString(), from: message.from || null, fromUserId: message.from_user_id || null, contactId: contact.id,
      ...profileOf(message, payload.contact) },
  });
  // Keyed by the number it came from, as the contact may have moved on since (or not yet).
  const reactor = message.from || (contact.wa_id ?? contact.user_id ?? contact.id);
  await afterInsert(trx, { workspaceId, number, contact, reactor, messageId: stored.id, wamid: message.id, body, at });
}

async function senderAndThread(
  trx: Knex.Transaction, target: { workspaceId: string; numberId: string; wamid: string }, body: MessageBody, message: WebhookMessage, block: WebhookContact | null, at: Date,
): Promise<{ contact: ContactRow; lookup: ThreadLookup }> {
  const newWaId = newNumberIn(body);
  const identity = identityOf({ waId: message.from, userId: message.from_user_id }, block);
  if (!newWaId && hasSingleId(identity)) return upsertSenderAndFindThread(trx, target, identity, at);
  const contact = newWaId
    ? await changeContactNumber(trx, target.workspaceId, { oldWaId: message.from || null, userId: message.from_user_id || null, newWaId, wamid: message.id, at })
    : await resolveContact(trx, target.workspaceId, identity, at);
  return { contact, lookup: await findThread(trx, target, contact.id) };
}

async function afterInsert(
  trx: Knex.Transaction,
  args: { workspaceId: string; number: NumberSettings; contact: ContactRow; reactor: string; messageId: string; wamid: string; body: MessageBody; at: Date },
): Promise<void> {
  const { workspaceId, number, contact, messageId, body } = args;
  if (body.type === 'reaction') await applyReaction(trx, workspaceId, args.reactor, body.reaction);
  const media = mediaOf(body);
  if (media) await storeMedia(trx, { workspaceId, messageId, whatsappNumberId: number.id, media });
  if (body.type === 'text') {
    const status = consentKeywordIn(number.consentKeywords, body.text.body);
    if (status) {
      await recordConsent(trx, {
        workspaceId,
        contactId: contact.id,
        whatsappNumberId: number.id,
        change: { field: 'status', value: status },
        source: 'keyword',
        at: args.at,
        actor: customerActor(contact),
        data: { keyword: body.text.body.trim(), wamid: args.wamid },
      });
    }
  }
  await markReadOnReceipt(trx, number, messageId, body.type);
  await enqueueInboundAutomation(trx, { workspaceId, numberId: number.id, contactId: contact.id, messageId, body });
}

/** What the webhook said of the sender's profile, for platforms that name the customer (null when it said nothing). */
function profileOf(message: WebhookMessage, block: WebhookContact | null): { profileName: string | null; username: string | null } {
  const identity = identityOf({ waId: message.from, userId: message.from_user_id }, block);
  return { profileName: identity.profileName, username: identity.username };
}
