import type { Knex } from 'knex';

/**
 * Privacy (issue 9 item 5): erasure requests with their report, the tombstone on an erased contact, and each
 * workspace's retention settings.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('contact', (t) => {
    // The tombstone: the row stays (counts, consent history, foreign keys) with every identifier cleared.
    t.timestamp('erased_at', { useTz: true });
  });

  // One erasure per contact: asking again returns it (idempotent). The report holds no personal data.
  await knex.schema.createTable('contact_erasure', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('contact_id').notNullable().references('contact.id').onDelete('cascade');
    t.text('state').notNullable().defaultTo('pending'); // pending | done | dead
    t.text('requested_by').notNullable();
    t.jsonb('local'); // what was erased here (counts), once done
    t.jsonb('platforms').notNullable().defaultTo('{}'); // installation id -> { connector, status, steps, error }
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('requested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.unique(['workspace_id', 'contact_id']);
  });
  await knex.raw("alter table contact_erasure add constraint contact_erasure_state check (state in ('pending', 'done', 'dead'))");
  await knex.raw("create index contact_erasure_dead_idx on contact_erasure (workspace_id, requested_at) where state = 'dead'");

  // Null days: kept for ever (the default).
  await knex.schema.createTable('retention_setting', (t) => {
    t.uuid('workspace_id').primary().references('workspace.id').onDelete('cascade');
    t.integer('message_days');
    t.integer('media_days');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('alter table retention_setting add constraint retention_days check ((message_days is null or message_days >= 1) and (media_days is null or media_days >= 1))');
  await knex.schema.alterTable('message', (t) => {
    // Set when erasure or retention removed the body and text: the row stays, so analytics still count it.
    t.timestamp('body_removed_at', { useTz: true });
  });
  // The daily sweep finds old bodies without reading every message.
  await knex.raw('create index message_retention_idx on message (workspace_id, sent_at) where body_removed_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists message_retention_idx');
  await knex.schema.alterTable('message', (t) => t.dropColumn('body_removed_at'));
  await knex.schema.dropTableIfExists('retention_setting');
  await knex.schema.dropTableIfExists('contact_erasure');
  await knex.schema.alterTable('contact', (t) => t.dropColumn('erased_at'));
}
