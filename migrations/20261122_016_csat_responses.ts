import type { Knex } from 'knex';

/**
 * CSAT answers (issue 7 item 7). A CSAT send is an outbound message whose `sent_by.id` ends in `:csat`
 * (core/automation/csat-answer.ts); the partial index makes "has this customer an unanswered one?" a cheap
 * lookup on every inbound message. One answer per CSAT send (the first counts), one per answering message.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index message_csat_send_idx on message (conversation_id, sent_at)
                  where direction = 'outbound' and sent_by->>'id' like '%:csat'`);
  await knex.schema.createTable('csat_response', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('workspace_id').notNullable().references('workspace.id').onDelete('cascade');
    t.uuid('conversation_id').notNullable().references('conversation.id').onDelete('cascade');
    t.uuid('csat_message_id').notNullable().unique().references('message.id').onDelete('cascade');
    t.uuid('message_id').notNullable().unique().references('message.id').onDelete('cascade');
    t.smallint('score').notNullable();
    t.text('source').notNullable(); // button | text
    t.timestamp('answered_at', { useTz: true }).notNullable();
    t.index(['workspace_id', 'answered_at']);
  });
  await knex.raw(`alter table csat_response add constraint csat_response_score check (score between 1 and 5),
                  add constraint csat_response_source check (source in ('button', 'text'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('csat_response');
  await knex.raw('drop index if exists message_csat_send_idx');
}
