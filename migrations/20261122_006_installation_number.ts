import type { Knex } from 'knex';

/**
 * An installation may serve one WhatsApp number (a Zendesk account picks the number it answers):
 * then only that number's conversations fan out to it. Null: every number of the workspace.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installation', (t) => {
    t.uuid('whatsapp_number_id').references('whatsapp_number.id').onDelete('set null');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installation', (t) => {
    t.dropColumn('whatsapp_number_id');
  });
}
