import type { Db } from '../../core/db/connect';

/**
 * A digest per table of one workspace's rows, for "a refused request changed nothing". The tables are every table
 * with a `workspace_id` column, read from the schema: a table added later is covered without editing this.
 */
export async function tenantFingerprint(db: Db, workspaceId: string): Promise<Record<string, string>> {
  const { rows: tables } = await db.raw<{ rows: { table_name: string }[] }>(
    "select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'workspace_id' order by table_name",
  );
  const prints: Record<string, string> = {};
  for (const { table_name: table } of tables) {
    const { rows } = await db.raw<{ rows: { md5: string | null }[] }>(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as md5 from ?? t where workspace_id = ?`, [table, workspaceId]);
    prints[table] = rows[0]?.md5 ?? '';
  }
  return prints;
}
