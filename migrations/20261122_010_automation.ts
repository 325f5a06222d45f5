import type { Knex } from 'knex';

/**
 * Automation rules (issue 7) as data: every change is a new version of a (workspace, number, kind) rule, never
 * an update, so history is kept and audited; a null definition is a version that switches the rule off. A rule
 * without a number is the workspace's default for every number without its own.
 * `automation_action` records what an automation did once per conversation and period (the out-of-hours
 * reply of one closed period …): its primary key is what makes "at most once" hold across retries and workers.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('automation_rule', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('whatsapp_number_id').references('whatsapp_number.id').onDelete('cascade');
    t.text('kind').notNullable();
    t.integer('version').notNullable();
    t.jsonb('definition');
    t.text('created_by').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // One version number per rule; coalesce: a workspace default (null number) is one rule too.
  await knex.raw(`create unique index automation_rule_version on automation_rule
    (workspace_id, kind, coalesce(whatsapp_number_id, '00000000-0000-0000-0000-000000000000'::uuid), version)`);
  await knex.schema.createTable('automation_action', (t) => {
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('conversation_id').notNullable().references('conversation.id').onDelete('cascade');
    t.text('action').notNullable();
    t.text('period_key').notNullable();
    t.uuid('message_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['conversation_id', 'action', 'period_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('automation_action');
  await knex.schema.dropTableIfExists('automation_rule');
}
