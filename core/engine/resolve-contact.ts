import type { Knex } from 'knex';
import type { WebhookContact } from '../whatsapp/webhook-payload';
import { CONTACT_COLUMNS, profileUnchanged, withPreviousWaIds, type ContactRow } from './contact-row';
import { contactThatMoved } from './contact-that-moved';
import { mergeContacts } from './merge-contacts';
import { waIdSince } from './number-history';

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
 *
 * A wa_id sender yields no row when the message was sent (`at`) before a recorded change of
 * the number (the holder's `wa_id_since`, or no holder but a change on record): the caller
 * then asks `contactThatMoved`. Only a new contact reads the change table here, to set its
 * own `wa_id_since`.
 */
export function contactUpsert(workspaceId: string, identity: ContactIdentity, at: Date): { ctes: string; select: string; bindings: Knex.RawBinding[] } {
  const byWaId = Boolean(identity.waId);
  const [key, value] = byWaId ? ['wa_id', identity.waId] : ['user_id', identity.userId];
  const columns = CONTACT_COLUMNS.join(', ');
  const unchanged = profileUnchanged(identity);
  const changes = 'from contact_number_change where workspace_id = ? and old_wa_id = ?';
  return {
    ctes: `contact_found as (
       select ${columns} from contact
        where workspace_id = ? and ${key} = ? and ${unchanged.sql}${byWaId ? ' and (wa_id_since is null or wa_id_since < ?::timestamptz)' : ''}
        for key share
     ),
     contact_written as (
       insert into contact as c (workspace_id, wa_id, user_id, profile_name, username, country_code${byWaId ? ', wa_id_since' : ''})
       select ?, ?, ?, ?, ?, ?${byWaId ? `, (select max(changed_at) ${changes})` : ''}
        where not exists (select 1 from contact_found)${byWaId ? `
          and not exists (select 1 ${changes} and changed_at >= ?::timestamptz)` : ''}
       on conflict (workspace_id, ${key}) where ${key} is not null do update set
         profile_name = coalesce(excluded.profile_name, c.profile_name),
         username = coalesce(excluded.username, c.username),
         country_code = coalesce(excluded.country_code, c.country_code),
         updated_at = now()
       returning ${columns}
     )`,
    select: `select ${columns} from contact_found union all select ${columns} from contact_written`,
    bindings: [
      workspaceId, value, ...unchanged.bindings, ...(byWaId ? [at] : []),
      workspaceId, identity.waId, identity.userId, identity.profileName, identity.username, identity.countryCode,
      ...(byWaId ? [workspaceId, identity.waId, workspaceId, identity.waId, at] : []),
    ],
  };
}

/**
 * Finds or creates the contact of an event sent at `at` (by default now, i.e. the number's
 * current holder). With one id it is a single upsert; with both ids it links them, merging two
 * rows that turn out to be one person.
 */
export async function resolveContact(trx: Knex.Transaction, workspaceId: string, identity: ContactIdentity, at: Date = new Date()): Promise<ContactRow> {
  if (identity.waId && identity.userId) return linkIdentities(trx, workspaceId, identity, identity.waId, identity.userId, at);
  if (!hasSingleId(identity)) throw new Error('The event names no customer: neither a wa_id nor a user_id');
  const upsert = contactUpsert(workspaceId, identity, at);
  for (let attempt = 0; attempt < 2; attempt++) {
    const result = await trx.raw<{ rows: ContactRow[] }>(`with ${upsert.ctes} ${upsert.select}`, upsert.bindings);
    if (result.rows[0]) return result.rows[0];
    // No row: sent before a number change, or another shard inserted the contact after this
    // statement's snapshot (then read again).
    const moved = await contactThatMoved(trx, workspaceId, identity, at);
    if (moved) return moved;
  }
  throw new Error('contact upsert returned no row');
}

async function linkIdentities(trx: Knex.Transaction, workspaceId: string, identity: ContactIdentity, waId: string, userId: string, at: Date): Promise<ContactRow> {
  for (let attempt = 0; attempt < 3; attempt++) {
    // Row locks serialise two shards linking the same person at once.
    const rows: (ContactRow & { wa_id_since: Date | null })[] = await trx('contact')
      .where('workspace_id', workspaceId)
      .andWhere((q) => q.where('wa_id', waId).orWhere('user_id', userId))
      .forUpdate()
      .select(...CONTACT_COLUMNS, 'wa_id_since');
    const byWa = rows.find((r) => r.wa_id === waId);
    // Sent before a recorded change of the number: the contact who moved, ids left as they are.
    if (!byWa || (byWa.wa_id_since && byWa.wa_id_since >= at)) {
      const moved = await contactThatMoved(trx, workspaceId, identity, at);
      if (moved) return moved;
    }
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
        ...(target.wa_id !== waId ? { wa_id_since: waIdSince(trx, workspaceId, waId) } : {}),
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
