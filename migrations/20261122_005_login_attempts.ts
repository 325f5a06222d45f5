import type { Knex } from 'knex';

/**
 * Installing from a platform's admin page (Zendesk's admin UI, later HubSpot and Salesforce): a login
 * attempt carries one browser's way through forms and an OAuth authorisation, since the page runs in a
 * platform iframe where our cookies cannot be relied on. Connect codes let a platform admin prove they
 * own the Threadline workspace. Every secret here is hashed (what we only compare) or sealed (what we use).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_attempt', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('purpose').notNullable(); // e.g. zendesk-install
    t.text('account').notNullable(); // the platform account (Zendesk subdomain, …)
    t.text('return_url').notNullable();
    t.text('csrf_hash').notNullable(); // sha256 of the token the attempt's forms carry
    t.text('secrets_sealed').notNullable(); // what the platform handed us (push token, …)
    t.jsonb('data').notNullable().defaultTo('{}'); // what is not secret (locale, names, …)
    t.uuid('workspace_id').references('workspace.id').onDelete('cascade'); // set once the admin proved it
    t.uuid('installation_id').references('installation.id').onDelete('cascade');
    t.text('oauth_state_hash').unique(); // sha256 of the OAuth state while an authorisation is under way
    t.text('pkce_verifier_sealed');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['expires_at']);
  });

  await knex.schema.createTable('connect_code', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('purpose').notNullable(); // the platform it may connect, e.g. zendesk
    t.text('code_hash').notNullable().unique();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('connect_code');
  await knex.schema.dropTableIfExists('login_attempt');
}
