import type { Knex } from 'knex';

/**
 * The sync outbox (Core II): one row per conversation event and installation, delivered in order
 * per (conversation, installation), and each installation's rate-limit state. Rows are history, so
 * they keep no foreign key to the conversation or message they describe (merges move those).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sync_outbox', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('installation_id').notNullable().references('installation.id').onDelete('cascade');
    t.uuid('event_id').notNullable(); // one per emitted event, shared by its fan-out rows
    t.text('type').notNullable();
    t.uuid('conversation_id').notNullable();
    t.uuid('message_id');
    t.uuid('origin_installation_id'); // the platform the event came from, so it can skip its own echo
    t.jsonb('data').notNullable().defaultTo('{}');
    t.text('state').notNullable().defaultTo('pending'); // pending | delivered | skipped | dead | cancelled
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('not_before', { useTz: true }); // set while a failed event waits out its backoff
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
  });
  await knex.raw("create index sync_outbox_pending_idx on sync_outbox (installation_id, id) where state = 'pending'");
  await knex.raw("create index sync_outbox_waiting_idx on sync_outbox (installation_id, conversation_id) where state = 'pending' and not_before is not null");
  await knex.raw("create index sync_outbox_dead_idx on sync_outbox (workspace_id, id) where state = 'dead'");

  // Kept between delivery jobs (one runs at a time per installation), so a quota holds across
  // jobs and worker processes.
  await knex.schema.createTable('sync_installation_state', (t) => {
    t.uuid('installation_id').primary().references('installation.id').onDelete('cascade');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.timestamp('paused_until', { useTz: true }); // Retry-After, or the backoff after a failed batch
    t.jsonb('recent_requests').notNullable().defaultTo('[]'); // epoch ms of requests in the current window
    t.text('last_error');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sync_installation_state');
  await knex.schema.dropTableIfExists('sync_outbox');
}
