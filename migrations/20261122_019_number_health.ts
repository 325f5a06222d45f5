import type { Knex } from 'knex';

/**
 * A number's health as the Graph API last reported it (core/numbers/number-health.ts). Null until the
 * first check: "not checked" is not the same as "bad". quality_rating already exists (001).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('whatsapp_number', (t) => {
    t.boolean('credentials_valid'); // the stored access token still works (no API field may look like a token)
    t.boolean('webhooks_subscribed');
    t.text('messaging_limit_tier'); // TIER_250 … TIER_UNLIMITED (whatsapp_business_manager_messaging_limit)
    t.text('throughput_level'); // STANDARD | HIGH | …
    t.text('health_problem'); // why the last check could not finish, for the admin to read
    t.timestamp('health_checked_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('whatsapp_number', (t) => {
    t.dropColumns('credentials_valid', 'webhooks_subscribed', 'messaging_limit_tier', 'throughput_level', 'health_problem', 'health_checked_at');
  });
}
