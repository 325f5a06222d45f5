import type { Knex } from 'knex';

/**
 * Triggers from business systems (issue 7 item 7): the workspace's signing secret (sealed), and one row per
 * trigger call keyed by its Idempotency-Key: the first answer (replayed for a repeat), the message it sent, where
 * a late failure is reported, and the follow-up it may owe.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('trigger_secret', (t) => {
    t.uuid('workspace_id').primary().references('workspace.id').onDelete('cascade');
    t.text('sealed_secret').notNullable();
    t.timestamp('rotated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('trigger_request', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('idempotency_key').notNullable();
    t.text('trigger_name').notNullable();
    t.uuid('whatsapp_number_id').references('whatsapp_number.id').onDelete('cascade');
    t.text('wa_id');
    /** The template send (content), kept for a send deferred past quiet hours. */
    t.jsonb('content');
    t.text('callback_url');
    /** `{ afterHours, content }`: the reminder owed when the customer does not answer. */
    t.jsonb('follow_up');
    t.boolean('honours_quiet_hours').notNullable().defaultTo(true);
    t.uuid('message_id').references('message.id').onDelete('set null');
    /** null while the first call is still being answered. */
    t.integer('response_status');
    t.jsonb('response_body');
    t.timestamp('callback_queued_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'idempotency_key']);
    t.index(['message_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('trigger_request');
  await knex.schema.dropTableIfExists('trigger_secret');
}
