import type { Knex } from 'knex';

/**
 * Platforms name our entities by their own ids (a Zendesk ticket in the sidebar, a HubSpot record in a
 * card): finding the entity behind an external id must not scan every link.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index external_link_by_external_idx on external_link (installation_id, external_type, external_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists external_link_by_external_idx');
}
