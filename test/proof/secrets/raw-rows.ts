import type { Db } from '../../../core/db/connect';
import type { SecretBox } from '../../../core/crypto/secret-box';

/**
 * Where each secret appears in plain text anywhere in the database: every text, varchar, json and jsonb column of
 * every table in every schema (the job queue's payloads included), read raw. `[]` is the proof.
 */
export async function plaintextsAtRest(db: Db, secrets: Record<string, string>): Promise<string[]> {
  const { rows: columns }: { rows: { table_schema: string; table_name: string; column_name: string }[] } = await db.raw(`
    select c.table_schema, c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema not in ('pg_catalog', 'information_schema') and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')`);
  expectSomeColumns(columns.length);
  const found: string[] = [];
  for (const { table_schema: schema, table_name: table, column_name: column } of columns) {
    for (const [label, value] of Object.entries(secrets)) {
      const { rows } = await db.raw<{ rows: { n: number }[] }>('select count(*)::int as n from ??.?? where strpos(??::text, ?) > 0', [schema, table, column, value]);
      if ((rows[0]?.n ?? 0) > 0) found.push(`${label} in ${schema}.${table}.${column}`);
    }
  }
  return found;
}

function expectSomeColumns(n: number): void {
  // A query that found no columns would prove nothing.
  if (n < 50) throw new Error(`only ${n} text columns found: the scan is not reading the schema`);
}

/** The secret fields of an installation's credentials, opened: what a raw row must never show. */
export async function installationSecrets(db: Db, box: SecretBox, connector: string): Promise<Record<string, string>> {
  const rows: { credentials_sealed: string }[] = await db('installation').where({ connector }).select('credentials_sealed');
  const found: Record<string, string> = {};
  for (const row of rows) {
    const credentials: unknown = JSON.parse(box.open(row.credentials_sealed));
    if (typeof credentials !== 'object' || credentials === null) continue;
    for (const [key, value] of Object.entries(credentials)) {
      if (/token|secret|key|password/i.test(key) && typeof value === 'string') found[`${connector} ${key}`] = value;
    }
  }
  if (Object.keys(found).length === 0) throw new Error(`no ${connector} credentials to look for`);
  return found;
}
