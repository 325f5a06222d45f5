import type { Db } from '../db/connect';

export interface ConsentRead {
  /** opted_in | opted_out | unknown (nothing recorded, or only a marketing preference) */
  status: string;
  /** subscribed | stopped */
  marketing: string;
}

/** What is recorded when nothing is: no opt-in yet, marketing not stopped (the consent table's defaults). */
const NOTHING_RECORDED: ConsentRead = { status: 'unknown', marketing: 'subscribed' };

/** The customer's consent on the conversation's own number (consent is kept per contact and number). */
export async function readConversationConsent(db: Db, workspaceId: string, conversationId: string): Promise<ConsentRead | null> {
  const row: { status: string | null; marketing: string | null } | undefined = await db('conversation as c')
    .leftJoin('consent as k', (join) => join.on('k.contact_id', 'c.contact_id').andOn('k.whatsapp_number_id', 'c.whatsapp_number_id'))
    .where({ 'c.workspace_id': workspaceId, 'c.id': conversationId })
    .first('k.status', 'k.marketing');
  if (!row) return null;
  return row.status === null || row.marketing === null ? NOTHING_RECORDED : { status: row.status, marketing: row.marketing };
}

/** The numbers (ids) a contact has a conversation on: where a consent they give elsewhere applies. */
export async function numbersOfContact(db: Db, workspaceId: string, contactId: string): Promise<string[]> {
  const rows: { whatsapp_number_id: string }[] = await db('conversation').where({ workspace_id: workspaceId, contact_id: contactId }).distinct('whatsapp_number_id');
  return rows.map((r) => r.whatsapp_number_id);
}
