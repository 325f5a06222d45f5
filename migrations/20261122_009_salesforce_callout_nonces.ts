import type { Knex } from 'knex';

/**
 * Nonces of the Salesforce package's signed callouts (connectors/salesforce/callouts): a callout is accepted
 * once per (installation, nonce), so a captured request replayed within its 5-minute timestamp window is refused.
 * Past that window the timestamp check refuses a replay by itself, so old rows are pruned (`received_at` indexed).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('salesforce_callout_nonce', (t) => {
    t.uuid('installation_id').notNullable().references('installation.id').onDelete('cascade');
    t.text('nonce').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['installation_id', 'nonce']);
    t.index(['received_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('salesforce_callout_nonce');
}
