import type { Knex } from 'knex';

/**
 * SMS fallback (issue 7 item 8). `consent.sms`: the contact's SMS consent on a number, next to its WhatsApp
 * consent and set the same way (unknown until someone records an explicit choice). `sms_message`: each SMS sent
 * in place of a template WhatsApp could not deliver; one per failed message (the unique source), so retries and
 * redelivered webhooks never send twice. The SMS is a thread message too (`message_id`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('consent', (t) => {
    t.text('sms').notNullable().defaultTo('unknown'); // unknown | opted_in | opted_out
  });
  await knex.schema.createTable('sms_message', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('source_message_id').notNullable().unique().references('message.id').onDelete('cascade');
    t.uuid('message_id').notNullable().unique().references('message.id').onDelete('cascade');
    t.text('from_number').notNullable();
    t.text('to_number').notNullable();
    t.text('body').notNullable();
    t.text('state').notNullable(); // queued | sending (handed to Twilio, no answer yet) | accepted | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('provider_sid').unique();
    t.jsonb('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table sms_message add constraint sms_message_state check (state in ('queued', 'sending', 'accepted', 'failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sms_message');
  await knex.schema.alterTable('consent', (t) => {
    t.dropColumn('sms');
  });
}
