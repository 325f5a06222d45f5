import type { Knex } from 'knex';

/**
 * Admin console sessions (issue 8). The cookie carries a random token; only its SHA-256 is stored, so a
 * leaked table does not sign anyone in. Each session is bound to one workspace and one role.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_session', (t) => {
    t.text('token_hash').primary();
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('role').notNullable(); // admin | viewer
    t.text('actor').notNullable(); // as written to the audit log: "admin-token", "zendesk:<user id>" …
    t.text('display_name').notNullable();
    t.text('csrf_token').notNullable();
    t.jsonb('flash'); // one notice shown on the next page, then cleared
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
  await knex.raw("alter table console_session add constraint console_session_role check (role in ('admin', 'viewer'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('console_session');
}
