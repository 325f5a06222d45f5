import type { Knex } from 'knex';

// Placeholder filled by the console work (issue 8).
export async function up(_knex: Knex): Promise<void> {}

export async function down(_knex: Knex): Promise<void> {}
