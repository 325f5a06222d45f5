import type { Knex } from 'knex';

/** The contact columns the engine works with. */
export interface ContactRow {
  id: string;
  wa_id: string | null;
  user_id: string | null;
  previous_wa_ids: string[];
}

/** What a webhook says of the customer's profile; null says nothing. */
export interface ContactProfile {
  profileName: string | null;
  username: string | null;
  countryCode: string | null;
}

export const CONTACT_COLUMNS = ['id', 'wa_id', 'user_id', 'previous_wa_ids'] as const;

/** `previous_wa_ids` with the given numbers appended, each kept once, in first-seen order. */
export function withPreviousWaIds(db: Knex, waIds: (string | null)[]): Knex.Raw {
  const added = waIds.filter((w): w is string => Boolean(w));
  return db.raw(
    `(select coalesce(jsonb_agg(v order by o), '[]'::jsonb)
        from (select v, min(o) as o from jsonb_array_elements_text(previous_wa_ids || ?::jsonb) with ordinality as e(v, o) group by v) s)`,
    [JSON.stringify(added)],
  );
}

/** SQL true when the contact's profile already says what the identity says (a missing field says nothing). */
export function profileUnchanged(identity: ContactProfile, alias = ''): { sql: string; bindings: Knex.RawBinding[] } {
  const unchanged = (column: string) => `(?::text is null or ${alias}${column} is not distinct from ?::text)`;
  return {
    sql: `${unchanged('profile_name')} and ${unchanged('username')} and ${unchanged('country_code')}`,
    bindings: [identity.profileName, identity.profileName, identity.username, identity.username, identity.countryCode, identity.countryCode],
  };
}
