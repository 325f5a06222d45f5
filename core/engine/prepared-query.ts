import crypto from 'node:crypto';
import type { Knex } from 'knex';

const names = new Map<string, string>();

/**
 * Runs a hot statement as a named prepared statement, so PostgreSQL plans it once per
 * connection instead of on every event: planning these CTE statements costs more than
 * running them. The name is a hash of the text, as a name must always mean the same text.
 */
export function preparedQuery<Row>(db: Knex, sql: string, bindings: readonly Knex.RawBinding[]): Promise<{ rows: Row[] }> {
  let name = names.get(sql);
  if (!name) {
    name = `tl_${crypto.createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    names.set(sql, name);
  }
  return db.raw<{ rows: Row[] }>(sql, bindings).options({ name }).then((r) => r);
}
