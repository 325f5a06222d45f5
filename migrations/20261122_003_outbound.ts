import type { Knex } from 'knex';

/**
 * Durable outbound sending (Core II): a send is stored as an outbound `message` with no wamid
 * until Meta answers, plus an `outbound_request` keyed by the caller's idempotency key.
 */
export async function up(knex: Knex): Promise<void> {
  // Outbound messages exist before Meta names them. The (workspace_id, wamid) unique constraint
  // still holds for every wamid: PostgreSQL treats NULLs as distinct.
  await knex.raw('alter table message alter column wamid drop not null');
  await knex.schema.alterTable('message', (t) => {
    t.jsonb('sent_by'); // { platform, id, name } of whoever sent an outbound message: failures go back to them
  });

  await knex.schema.alterTable('whatsapp_number', (t) => {
    // Meta's per-number throughput (§8): 80 by default, 1,000 after an upgrade, 20 for coexistence numbers.
    t.integer('throughput_mps').notNullable().defaultTo(80);
  });

  await knex.schema.alterTable('contact', (t) => {
    t.text('language'); // template language code (e.g. en_US) when a platform or admin knows it; null = unknown
  });

  await knex.schema.createTable('outbound_request', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.text('idempotency_key').notNullable();
    t.text('request_hash').notNullable(); // conversation + content: a reused key with other content is refused
    t.uuid('conversation_id').notNullable().references('conversation.id').onDelete('cascade');
    t.uuid('whatsapp_number_id').notNullable().references('whatsapp_number.id').onDelete('cascade');
    t.uuid('contact_id').notNullable().references('contact.id').onDelete('cascade');
    t.uuid('message_id').notNullable().references('message.id').onDelete('cascade');
    t.jsonb('content').notNullable(); // the validated SendContent
    t.jsonb('sender').notNullable();
    t.text('state').notNullable().defaultTo('queued'); // queued | accepted | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.jsonb('last_error'); // { code, message, details } of the latest failed attempt
    t.text('media_id'); // uploaded media id, kept so a retry does not upload twice
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['workspace_id', 'idempotency_key']);
    t.unique(['message_id']);
  });
  // The send task's "is an earlier message to this customer still waiting?" lookup.
  await knex.raw(`create index outbound_request_queued_idx on outbound_request (workspace_id, whatsapp_number_id, contact_id, created_at)
                  where state = 'queued'`);

  // A failed outbound message must reach whoever sent it, however it failed: a synchronous Graph
  // error in the send task, or a late `failed` status applied by the engine (131047 after a 200).
  // A trigger records both in the audit log, in the transaction that fails the message; the
  // platforms hear of it through the `message.failed` conversation event.
  await knex.raw(`
    create function message_failed_audit() returns trigger language plpgsql as $$
    begin
      insert into audit_log (workspace_id, actor, action, entity_type, entity_id, data)
      values (new.workspace_id, 'whatsapp', 'message.failed', 'message', new.id::text,
              jsonb_build_object('conversationId', new.conversation_id, 'wamid', new.wamid, 'sender', new.sent_by,
                                 'error', jsonb_build_object('code', new.error_code, 'title', new.error_title, 'details', new.error_details)));
      return new;
    end $$`);
  await knex.raw(`
    create trigger message_failed_audit after update of status on message
    for each row when (new.direction = 'outbound' and new.status = 'failed' and old.status is distinct from 'failed')
    execute function message_failed_audit()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists message_failed_audit on message');
  await knex.raw('drop function if exists message_failed_audit()');
  await knex.schema.dropTableIfExists('outbound_request');
  await knex.schema.alterTable('contact', (t) => t.dropColumn('language'));
  await knex.schema.alterTable('whatsapp_number', (t) => t.dropColumn('throughput_mps'));
  await knex.schema.alterTable('message', (t) => t.dropColumn('sent_by'));
  // Outbound rows never answered by Meta have no wamid; they cannot survive the constraint.
  await knex.raw('delete from message where wamid is null');
  await knex.raw('alter table message alter column wamid set not null');
}
