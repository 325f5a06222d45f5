import type { Knex } from 'knex';

/** Message templates synced from each WABA (Core II), with status kept current by webhooks. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('template', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('waba_id').notNullable();
    t.text('meta_template_id').notNullable(); // Graph id; one per name × language
    t.text('name').notNullable();
    t.text('language').notNullable();
    t.text('category').notNullable(); // MARKETING | UTILITY | AUTHENTICATION
    t.text('status').notNullable(); // APPROVED | PENDING | REJECTED | PAUSED | DISABLED | …
    t.text('parameter_format').notNullable().defaultTo('POSITIONAL'); // POSITIONAL | NAMED
    t.jsonb('components').notNullable();
    t.text('status_reason');
    t.timestamp('status_changed_at', { useTz: true });
    t.timestamp('synced_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'waba_id', 'name', 'language']);
    t.unique(['workspace_id', 'meta_template_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('template');
}
