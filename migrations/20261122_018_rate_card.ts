import type { Knex } from 'knex';

/**
 * The rate card an admin enters for the cost figures (issue 8 item 7): one currency per workspace, and a price per
 * market and pricing category. A market is a country calling code of the recipient ('44', '1') or 'default', the
 * price for every market without its own. A missing price is no price (the message shows as unpriced), not zero.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_card', (t) => {
    t.uuid('workspace_id').primary().references('workspace.id').onDelete('cascade');
    t.text('currency').notNullable();
    t.text('updated_by').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table rate_card add constraint rate_card_currency check (currency ~ '^[A-Z]{3}$')`);
  await knex.schema.createTable('rate_card_price', (t) => {
    t.uuid('workspace_id').notNullable().references('rate_card.workspace_id').onDelete('cascade');
    t.text('market').notNullable();
    t.text('category').notNullable();
    t.decimal('price', 14, 6).notNullable();
    t.primary(['workspace_id', 'market', 'category']);
  });
  await knex.raw(`alter table rate_card_price
    add constraint rate_card_price_market check (market = 'default' or market ~ '^[1-9][0-9]{0,2}$'),
    add constraint rate_card_price_category check (category in ('marketing', 'utility', 'authentication', 'service')),
    add constraint rate_card_price_non_negative check (price >= 0)`);
  // The analytics figures read a workspace's rows of a date range (core/analytics/).
  await knex.raw('create index message_status_priced_idx on message_status (workspace_id, occurred_at) where pricing is not null');
  await knex.raw('create index message_workspace_sent_idx on message (workspace_id, sent_at)');
  await knex.raw('create index automation_action_workspace_idx on automation_action (workspace_id, action, created_at)');
  await knex.raw('create index conversation_closed_idx on conversation (workspace_id, closed_at) where closed_at is not null');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['conversation_closed_idx', 'automation_action_workspace_idx', 'message_workspace_sent_idx', 'message_status_priced_idx']) await knex.raw(`drop index if exists ${index}`);
  await knex.schema.dropTableIfExists('rate_card_price');
  await knex.schema.dropTableIfExists('rate_card');
}
