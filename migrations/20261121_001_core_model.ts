import type { Knex } from 'knex';

/**
 * The multi-tenant conversation model (DESIGN.md §3). Every tenant row carries workspace_id;
 * every query filters by it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pgcrypto');

  await knex.schema.createTable('workspace', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('slug').notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('whatsapp_number', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('phone_number_id').notNullable().unique();
    t.text('waba_id').notNullable();
    t.text('display_phone_number');
    t.text('verified_name');
    t.text('quality_rating');
    t.text('access_token_sealed').notNullable();
    t.text('state').notNullable().defaultTo('active'); // active | needs_attention
    t.text('state_reason');
    t.text('read_receipts').notNullable().defaultTo('on_assign'); // on_receipt | on_assign | never
    t.integer('quiet_period_minutes').notNullable().defaultTo(1440);
    t.jsonb('consent_keywords'); // null = defaults
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['workspace_id']);
  });

  await knex.schema.createTable('contact', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('wa_id'); // digits, no '+'; may be unknown for username users
    t.text('user_id'); // business-scoped user id (BSUID)
    t.text('username');
    t.text('country_code');
    t.text('profile_name');
    t.jsonb('previous_wa_ids').notNullable().defaultTo('[]');
    // Latest recorded change of wa_id away from an earlier holder: messages from the number up to
    // this time are that holder's. Null (nearly always) keeps the engine's contact lookup one read.
    t.timestamp('wa_id_since', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create unique index contact_wa_id_uq on contact (workspace_id, wa_id) where wa_id is not null');
  await knex.raw('create unique index contact_user_id_uq on contact (workspace_id, user_id) where user_id is not null');

  // Number changes (`system.user_changed_number`) as they happened, whatever order they arrive in:
  // a message from old_wa_id sent at or before changed_at belongs to contact_id, the one who moved.
  await knex.schema.createTable('contact_number_change', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('contact_id').notNullable().references('contact.id').onDelete('cascade'); // follows merges
    t.text('old_wa_id').notNullable();
    t.text('new_wa_id').notNullable();
    t.timestamp('changed_at', { useTz: true }).notNullable();
    t.text('wamid').notNullable(); // the system message that announced it
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'old_wa_id', 'changed_at']);
    t.index(['workspace_id', 'contact_id']);
  });

  await knex.schema.createTable('consent', (t) => {
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('contact_id').notNullable().references('contact.id').onDelete('cascade');
    t.uuid('whatsapp_number_id').notNullable().references('whatsapp_number.id').onDelete('cascade');
    t.text('status').notNullable(); // opted_in | opted_out | unknown (a marketing preference recorded before any opt-in)
    t.text('marketing').notNullable().defaultTo('subscribed'); // subscribed | stopped
    t.text('source').notNullable(); // keyword | user_preferences | admin | platform
    t.timestamp('changed_at', { useTz: true }).notNullable();
    t.primary(['contact_id', 'whatsapp_number_id']);
  });

  await knex.schema.createTable('conversation', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('contact_id').notNullable().references('contact.id').onDelete('cascade');
    t.uuid('whatsapp_number_id').notNullable().references('whatsapp_number.id').onDelete('cascade');
    t.text('status').notNullable().defaultTo('open'); // open | pending | closed
    t.text('assignee_platform');
    t.text('assignee_id');
    t.text('assignee_name');
    t.timestamp('opened_at', { useTz: true }).notNullable();
    t.timestamp('closed_at', { useTz: true });
    t.timestamp('last_message_at', { useTz: true }).notNullable();
    t.timestamp('last_inbound_at', { useTz: true });
    t.timestamp('window_expires_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['workspace_id', 'last_message_at']);
    t.index(['contact_id', 'whatsapp_number_id', 'last_message_at']); // the engine's thread lookup, closed threads included
  });
  // One live thread per contact and number; closed threads are history.
  await knex.raw("create unique index conversation_live_uq on conversation (contact_id, whatsapp_number_id) where status <> 'closed'");

  await knex.schema.createTable('message', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('conversation_id').notNullable().references('conversation.id').onDelete('cascade');
    t.text('wamid').notNullable();
    t.text('direction').notNullable(); // inbound | outbound
    t.text('type').notNullable();
    t.jsonb('body').notNullable();
    t.text('text'); // searchable rendering
    t.text('context_wamid');
    t.boolean('forwarded').notNullable().defaultTo(false);
    t.boolean('frequently_forwarded').notNullable().defaultTo(false);
    t.jsonb('referral');
    t.jsonb('referred_product'); // context.referred_product: "Message business" on a catalog item
    t.jsonb('reactions').notNullable().defaultTo('{}'); // reactor -> emoji
    t.text('status').notNullable(); // received | pending | sent | delivered | read | played | failed
    t.timestamp('status_at', { useTz: true });
    t.integer('error_code');
    t.text('error_title');
    t.text('error_details');
    t.timestamp('sent_at', { useTz: true }).notNullable(); // WhatsApp's timestamp
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'wamid']);
    t.index(['conversation_id', 'sent_at']);
  });

  await knex.schema.createTable('message_status', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('wamid').notNullable();
    t.text('status').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.jsonb('errors');
    t.jsonb('pricing');
    t.text('recipient_id');
    t.boolean('applied').notNullable().defaultTo(false); // false while its message is unknown
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'wamid', 'status']);
  });
  await knex.raw('create index message_status_pending_idx on message_status (workspace_id, wamid) where not applied');

  await knex.schema.createTable('media', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('message_id').notNullable().references('message.id').onDelete('cascade');
    t.uuid('whatsapp_number_id').notNullable().references('whatsapp_number.id').onDelete('cascade');
    t.text('meta_media_id').notNullable();
    t.text('source_url');
    t.text('mime_type').notNullable();
    t.text('sha256');
    t.text('filename');
    t.bigInteger('size_bytes');
    t.text('blob_key');
    t.text('state').notNullable().defaultTo('pending'); // pending | stored | failed
    t.text('error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('stored_at', { useTz: true });
    t.unique(['message_id']);
  });

  await knex.schema.createTable('installation', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('connector').notNullable();
    t.text('account_id').notNullable(); // Zendesk subdomain, HubSpot portal id, Salesforce org id
    t.text('credentials_sealed');
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.text('state').notNullable().defaultTo('active');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'connector', 'account_id']);
  });

  await knex.schema.createTable('external_link', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('installation_id').notNullable().references('installation.id').onDelete('cascade');
    t.text('entity_type').notNullable(); // conversation | message | contact
    t.uuid('entity_id').notNullable();
    t.text('external_type').notNullable(); // ticket, comment, communication, record …
    t.text('external_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['installation_id', 'entity_type', 'entity_id', 'external_type']);
  });

  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('actor').notNullable(); // "admin-token", "system", "customer:<wa_id>", "zendesk:<user>" …
    t.text('action').notNullable();
    t.text('entity_type').notNullable();
    t.text('entity_id').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['workspace_id', 'at']);
  });

  // The durable inbox: every accepted webhook event, written before Meta gets its 200.
  await knex.schema.createTable('inbox_event', (t) => {
    t.bigIncrements('id');
    t.uuid('workspace_id').references('workspace.id').onDelete('cascade'); // null: unknown number
    t.text('phone_number_id');
    t.text('dedupe_key').notNullable().unique();
    t.text('kind').notNullable(); // message | status | template_status | user_preference | system_error | quality_update
    t.text('conversation_key').notNullable(); // phone_number_id:customer — order is kept per key
    t.integer('shard').notNullable(); // queue the key drains on
    t.timestamp('event_at', { useTz: true }).notNullable();
    t.jsonb('payload').notNullable();
    t.text('state').notNullable().defaultTo('pending'); // pending | processed | dead | unrouted
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('not_before', { useTz: true }); // set while a failed event waits to be retried
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('processed_at', { useTz: true });
  });
  // Worker processes and their graphile-worker ids, so a crashed process's job locks can be released.
  await knex.schema.createTable('worker_process', (t) => {
    t.text('id').primary();
    t.specificType('worker_ids', 'text[]').notNullable();
    t.timestamp('heartbeat_at', { useTz: true }).notNullable();
  });
  await knex.raw("create index inbox_event_pending_idx on inbox_event (shard, event_at, id) where state = 'pending'");
  await knex.raw("create index inbox_event_dead_idx on inbox_event (workspace_id, id) where state = 'dead'");
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['worker_process', 'inbox_event', 'audit_log', 'external_link', 'installation', 'media', 'message_status', 'message', 'conversation', 'consent', 'contact_number_change', 'contact', 'whatsapp_number', 'workspace']) {
    await knex.schema.dropTableIfExists(table);
  }
}
