import type { Knex } from 'knex';

/**
 * Where a conversation is routed (issue 7 item 2): the team it belongs to, or that it is waiting for the customer's
 * answer to the routing menu. One row per conversation (a new conversation is routed afresh); the row is locked
 * while an answer is judged, so two quick messages cannot both route it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('conversation_routing', (t) => {
    t.uuid('conversation_id').primary().references('conversation.id').onDelete('cascade');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('state').notNullable(); // awaiting_choice | routed
    t.integer('prompts').notNullable().defaultTo(0);
    t.timestamp('prompted_at', { useTz: true });
    t.text('team'); // a team key of the workspace's `teams` rule, once routed
    t.text('routed_by'); // keyword | menu | timeout | fallback
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('conversation_routing');
}
