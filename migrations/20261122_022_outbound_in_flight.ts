import type { Knex } from 'knex';

/**
 * A send's outcome survives a crash (issue 9, fault tests): `in_flight_at` is set just before the Graph call and
 * cleared with Meta's answer, so a request found with it set was cut off between the two, and Meta may have
 * sent it. The send task then waits (from `outcome_wait_since`) for the message's status webhook instead of
 * sending it a second time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbound_request', (t) => {
    t.timestamp('in_flight_at', { useTz: true });
    t.timestamp('outcome_wait_since', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbound_request', (t) => {
    t.dropColumn('in_flight_at');
    t.dropColumn('outcome_wait_since');
  });
}
