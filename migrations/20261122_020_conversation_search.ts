import type { Knex } from 'knex';

/**
 * The console's conversation search matches any part of a message's text or a contact's name (`ilike '%…%'`):
 * trigram indexes let PostgreSQL find the few matches instead of reading every message of the workspace.
 * pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so the database owner may create it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pg_trgm');
  await knex.raw('create index message_text_trgm_idx on message using gin (text gin_trgm_ops)');
  await knex.raw('create index contact_profile_name_trgm_idx on contact using gin (profile_name gin_trgm_ops)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists contact_profile_name_trgm_idx');
  await knex.raw('drop index if exists message_text_trgm_idx');
}
