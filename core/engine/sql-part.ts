import type { Knex } from 'knex';

/** A statement with its bindings, to run alone or as a CTE of a larger one (one round trip, not two). */
export interface SqlPart {
  sql: string;
  bindings: Knex.RawBinding[];
}
