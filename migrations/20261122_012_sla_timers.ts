import type { Knex } from 'knex';

/**
 * The response timer of each conversation (issue 7 item 5): started by the customer's first unanswered message,
 * met by a person's reply, breached by the job that runs at `due_at`. Jobs, not memory: a restart loses no timer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sla_timer', (t) => {
    t.uuid('conversation_id').primary().references('conversation.id').onDelete('cascade');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('kind').notNullable(); // first_response | next_response
    t.text('team');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('due_at', { useTz: true }); // null: no opening scheduled to count from
    t.text('state').notNullable(); // running | met | breached
    t.timestamp('met_at', { useTz: true });
    t.timestamp('breached_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('sla_timer');
}
