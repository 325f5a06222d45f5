import type { Knex } from 'knex';

/**
 * Bot handoff (issue 7 item 4). `bot_secret`: the signing secret of each bot (a bot is the `bot` rule of the
 * workspace or of one number), sealed at rest. `bot_conversation`: who owns a conversation, the bot or a person,
 * since when and why (no row: nobody decided yet). `bot_forward`: each customer message sent to the bot, delivered
 * in order per conversation, retried, and kept as a dead letter when the bot never took it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bot_secret', (t) => {
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('whatsapp_number_id').references('whatsapp_number.id').onDelete('cascade');
    t.text('sealed_secret').notNullable();
    t.timestamp('rotated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One secret per bot; coalesce: the workspace's bot (null number) is one bot too.
  await knex.raw(`create unique index bot_secret_scope on bot_secret
    (workspace_id, coalesce(whatsapp_number_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
  await knex.schema.createTable('bot_conversation', (t) => {
    t.uuid('conversation_id').primary().references('conversation.id').onDelete('cascade');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('owner').notNullable();
    t.timestamp('since', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('handoff_reason');
    t.text('handoff_team');
  });
  await knex.raw(`alter table bot_conversation add constraint bot_conversation_owner check (owner in ('bot', 'person'))`);
  await knex.schema.createTable('bot_forward', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('conversation_id').notNullable().references('conversation.id').onDelete('cascade');
    t.uuid('message_id').notNullable().unique().references('message.id').onDelete('cascade');
    t.text('state').notNullable(); // pending | delivered | dropped | dead
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('finished_at', { useTz: true });
  });
  await knex.raw(`create index bot_forward_pending on bot_forward (conversation_id, created_at) where state = 'pending'`);
  await knex.raw(`create index bot_forward_dead on bot_forward (workspace_id, finished_at desc) where state = 'dead'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('bot_forward');
  await knex.schema.dropTableIfExists('bot_conversation');
  await knex.schema.dropTableIfExists('bot_secret');
}
