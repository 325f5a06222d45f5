import type { Knex } from 'knex';
import { z } from 'zod';
import { resolveContact } from './resolve-contact';

/** A customer's number as WhatsApp writes a wa_id: E.164 digits, country code first, without the `+`. */
export const waIdSchema = z.string().regex(/^[1-9][0-9]{6,14}$/,
  'is not a WhatsApp number: give it in international format, digits only with the country code first (7 to 15 digits, no + or leading 0), e.g. 4915123456789');

/**
 * The customer's live conversation on one of the workspace's numbers, started by the business
 * when there is none: an approved template may open a conversation with someone who never wrote
 * (whatsapp.md §6.4, §9). Runs in the caller's transaction, so a send refused afterwards can
 * roll it back and leave no empty conversation. Null when the number is not the workspace's.
 *
 * The contact is the engine's own (resolveContact), and so are the guards against races: the
 * contact's unique wa_id and the one live conversation per contact and number
 * (conversation_live_uq). Two sends to a new wa_id, or a send and the customer's first message,
 * end in one contact and one conversation.
 *
 * Unlike a thread the engine starts for an inbound message (placeInThread), this one has no
 * inbound and so no 24-hour window: only templates go until the customer writes, and their reply
 * continues this conversation and opens the window.
 */
export async function findOrStartConversation(
  trx: Knex.Transaction, args: { workspaceId: string; phoneNumberId: string; waId: string },
): Promise<string | null> {
  const number: { id: string } | undefined = await trx('whatsapp_number')
    .where({ workspace_id: args.workspaceId, phone_number_id: args.phoneNumberId })
    .first('id');
  if (!number) return null;
  const contact = await resolveContact(trx, args.workspaceId, { waId: args.waId, userId: null, profileName: null, username: null, countryCode: null });
  const started = await trx.raw<{ rows: { id: string }[] }>(
    `insert into conversation as c (workspace_id, contact_id, whatsapp_number_id, status, opened_at, last_message_at)
     values (?, ?, ?, 'open', now(), now())
     on conflict (contact_id, whatsapp_number_id) where status <> 'closed' do update set
       last_message_at = greatest(c.last_message_at, excluded.last_message_at)
     returning id`,
    [args.workspaceId, contact.id, number.id],
  );
  const row = started.rows[0];
  if (!row) throw new Error('conversation upsert returned no row');
  return row.id;
}
