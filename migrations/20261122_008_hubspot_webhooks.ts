import type { Knex } from 'knex';

/**
 * CRM webhook events already handled (HubSpot reference §6.2): deliveries are at least once and `eventId` is
 * not unique, so an event is known by (portal, subscription, object, occurredAt, property). Kept durably, so a
 * redelivery after a restart is still recognised; HubSpot retries for 24 hours, so rows older than that
 * are of no further use (`received_at` is indexed for pruning them).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('hubspot_webhook_event', (t) => {
    t.bigInteger('portal_id').notNullable();
    t.bigInteger('subscription_id').notNullable();
    t.bigInteger('object_id').notNullable();
    t.bigInteger('occurred_at').notNullable(); // ms since the epoch, as HubSpot sends it
    t.text('property_name').notNullable().defaultTo(''); // '' for events without one
    t.text('event_type').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['portal_id', 'subscription_id', 'object_id', 'occurred_at', 'property_name']);
    t.index(['received_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('hubspot_webhook_event');
}
