import type { Knex } from 'knex';
import { CONTACT_COLUMNS, profileUnchanged, type ContactProfile, type ContactRow } from './contact-row';

/**
 * The contact a message from `waId` sent at `at` belongs to when the number changed hands at or
 * after that time: the one who moved away at the earliest such change (it may hold a newer
 * number by now). The message's profile is applied to that contact, as to any sender. Null
 * when no recorded change follows `at`. Only called when the usual lookup found no owner.
 */
export async function contactThatMoved(trx: Knex.Transaction, workspaceId: string, sender: ContactProfile & { waId: string | null }, at: Date): Promise<ContactRow | null> {
  if (!sender.waId) return null;
  const columns = CONTACT_COLUMNS.map((c) => `c.${c}`).join(', ');
  const unchanged = profileUnchanged(sender, 'c.');
  const result = await trx.raw<{ rows: ContactRow[] }>(
    `with moved as (
       select coalesce(
         (select contact_id from contact_number_change
           where workspace_id = ? and old_wa_id = ? and changed_at >= ?
           order by changed_at limit 1),
         -- The holder's hint outlived the change (deleted with its contact): the holder it is.
         (select id from contact where workspace_id = ? and wa_id = ? and wa_id_since >= ?)
       ) as contact_id
     ),
     updated as (
       update contact c set
         profile_name = coalesce(?, c.profile_name), username = coalesce(?, c.username), country_code = coalesce(?, c.country_code), updated_at = now()
         from moved where c.workspace_id = ? and c.id = moved.contact_id and not (${unchanged.sql})
       returning ${columns}
     ),
     kept as (
       select ${columns} from contact c join moved on c.id = moved.contact_id
        where c.workspace_id = ? and not exists (select 1 from updated)
        for key share of c
     )
     select * from updated union all select * from kept`,
    [
      workspaceId, sender.waId, at, workspaceId, sender.waId, at,
      sender.profileName, sender.username, sender.countryCode, workspaceId, ...unchanged.bindings,
      workspaceId,
    ],
  );
  return result.rows[0] ?? null;
}
