import type { Knex } from 'knex';
import type { WebhookContact } from '../whatsapp/webhook-payload';
import { CONTACT_COLUMNS, withPreviousWaIds, type ContactRow } from './contact-row';
import { mergeContacts } from './merge-contacts';

/** Who sent an event, as far as the webhook says. Empty strings (username users) are null. */
export interface ContactIdentity {
  waId: string | null;
  userId: string | null;
  profileName: string | null;
  username: string | null;
  countryCode: string | null;
}

/**
 * Combines the sender ids of an item (`from`/`from_user_id`, `wa_id`/`user_id`) with the
 * `contacts[]` block, whose profile is used only when it does not name someone else.
 */
export function identityOf(sender: { waId?: string | undefined; userId?: string | undefined }, block: WebhookContact | null): ContactIdentity {
  const waId = sender.waId || null;
  const userId = sender.userId || null;
  const sameWa = !waId || !block?.wa_id || block.wa_id === waId;
  const sameUser = !userId || !block?.user_id || block.user_id === userId;
  const profile = block && sameWa && sameUser ? block : null;
  return {
    waId: waId ?? (profile?.wa_id || null),
    userId: userId ?? (profile?.user_id || null),
    profileName: profile?.profile?.name || null,
    username: profile?.profile?.username || null,
    countryCode: profile?.profile?.country_code || null,
  };
}

/** Whether one upsert can resolve this sender: it names one id, so there is nothing to link. */
export function hasSingleId(identity: ContactIdentity): boolean {
  return Boolean(identity.waId) !== Boolean(identity.userId);
}

/**
 * The single-id upsert as CTEs (`contact_found`, `contact_written`) and the select that yields
 * the contact, so a caller can add more to the same statement. Safe when shards race
 * (insert … on conflict … do update), never erases a known profile field with a missing one,
 * and writes nothing when the contact is known and unchanged: the common case stays a read.
 * That read takes the lightest row lock (key share), so a merge or number change, which lock
 * the row for update, waits for events in flight on the contact instead of pulling it away.
 */
export function contactUpsert(workspaceId: string, identity: ContactIdentity): { ctes: string; select: string; bindings: Knex.RawBinding[] } {
  const [key, value] = identity.waId ? ['wa_id', identity.waId] : ['user_id', identity.userId];
  const unchanged = (column: string) => `(?::text is null or ${column} is not distinct from ?::text)`;
  const columns = CONTACT_COLUMNS.join(', ');
  return {
    ctes: `contact_found as (
       select ${columns} from contact
        where workspace_id = ? and ${key} = ? and ${unchanged('profile_name')} and ${unchanged('username')} and ${unchanged('country_code')}
        for key share
     ),
     contact_written as (
       insert into contact as c (workspace_id, wa_id, user_id, profile_name, username, country_code)
       select ?, ?, ?, ?, ?, ? where not exists (select 1 from contact_found)
       on conflict (workspace_id, ${key}) where ${key} is not null do update set
         profile_name = coalesce(excluded.profile_name, c.profile_name),
         username = coalesce(excluded.username, c.username),
         country_code = coalesce(excluded.country_code, c.country_code),
         updated_at = now()
       returning ${columns}
     )`,
    select: `select ${columns} from contact_found union all select ${columns} from contact_written`,
    bindings: [
      workspaceId, value, identity.profileName, identity.profileName, identity.username, identity.username, identity.countryCode, identity.countryCode,
      workspaceId, identity.waId, identity.userId, identity.profileName, identity.username, identity.countryCode,
    ],
  };
}

/**
 * Finds or creates the contact. With one id it is a single upsert; with both ids it links them,
 * merging two rows that turn out to be one person.
 */
export async function resolveContact(trx: Knex.Transaction, workspaceId: string, identity: ContactIdentity): Promise<ContactRow> {
  if (identity.waId && identity.userId) return linkIdentities(trx, workspaceId, identity, identity.waId, identity.userId);
  if (!hasSingleId(identity)) throw new Error('The event names no customer: neither a wa_id nor a user_id');
  const upsert = contactUpsert(workspaceId, identity);
  // No row only if another shard inserted the contact after this statement's snapshot: read again.
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = await trx.raw<{ rows: ContactRow[] }>(`with ${upsert.ctes} ${upsert.select}`, upsert.bindings);
    if (result.rows[0]) return result.rows[0];
  }
  throw new Error('contact upsert returned no row');
}

async function linkIdentities(trx: Knex.Transaction, workspaceId: string, identity: ContactIdentity, waId: string, userId: string): Promise<ContactRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Row locks serialise two shards linking the same person at once.
    const rows: ContactRow[] = await trx('contact')
      .where('workspace_id', workspaceId)
      .andWhere((q) => q.where('wa_id', waId).orWhere('user_id', userId))
      .forUpdate()
      .select(...CONTACT_COLUMNS);
    const byWa = rows.find((r) => r.wa_id === waId);
    const byUser = rows.find((r) => r.user_id === userId);
    const target = byWa ?? byUser;
    if (!target) {
      const inserted: ContactRow[] = await trx('contact')
        .insert({ workspace_id: workspaceId, wa_id: waId, user_id: userId, profile_name: identity.profileName, username: identity.username, country_code: identity.countryCode })
        .onConflict()
        .ignore()
        .returning([...CONTACT_COLUMNS]);
      if (inserted[0]) return inserted[0];
      continue; // another shard created it meanwhile: read it again
    }
    if (byWa && byUser && byWa.id !== byUser.id) {
      // The phone-keyed row survives: it is the one platforms matched on.
      await mergeContacts(trx, workspaceId, byWa, byUser, [byUser.wa_id], `customer:${waId}`);
    }
    const updated: ContactRow[] = await trx('contact')
      .where({ workspace_id: workspaceId, id: target.id })
      .update({
        wa_id: waId,
        user_id: userId,
        previous_wa_ids: withPreviousWaIds(trx, [target.wa_id !== waId ? target.wa_id : null]),
        profile_name: trx.raw('coalesce(?, profile_name)', [identity.profileName]),
        username: trx.raw('coalesce(?, username)', [identity.username]),
        country_code: trx.raw('coalesce(?, country_code)', [identity.countryCode]),
        updated_at: trx.fn.now(),
      })
      .returning([...CONTACT_COLUMNS]);
    if (updated[0]) return updated[0];
  }
  throw new Error(`could not resolve the contact for ${waId} / ${userId}`);
}
