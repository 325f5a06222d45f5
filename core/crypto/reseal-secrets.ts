import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';
import type { SecretBox } from './secret-box';

/** Every column that holds a SecretBox value; test/proof/secrets checks the schema has no other. */
export const SEALED_COLUMNS = [
  { table: 'whatsapp_number', column: 'access_token_sealed' },
  { table: 'installation', column: 'credentials_sealed' },
  { table: 'login_attempt', column: 'secrets_sealed' },
  { table: 'login_attempt', column: 'pkce_verifier_sealed' },
  { table: 'bot_secret', column: 'sealed_secret' },
  { table: 'trigger_secret', column: 'sealed_secret' },
] as const;

export interface ResealReport {
  /** Values now under the current key. */
  resealed: number;
  /** Values no configured key opens (their key was retired too early): `table.column` → count. */
  unopenable: Record<string, number>;
  /** Values still under a previous key after this run (written meanwhile by a process with an older key list). */
  remaining: number;
}

/**
 * Key rotation, step two: rewrites every value sealed under a previous key under the current one, in batches
 * of short transactions, while the server keeps reading (it opens both keys) and writing. A row changed
 * meanwhile is left alone (the update names the old value), and a writer seals under the current key anyway.
 * Walks each table by ctid so a value that cannot be opened is passed, not retried forever.
 */
export async function resealSecrets(deps: { db: Db; secrets: SecretBox; logger?: Logger }, options: { batchSize?: number } = {}): Promise<ResealReport> {
  const batchSize = options.batchSize ?? 200;
  const prefix = deps.secrets.currentPrefix;
  const report: ResealReport = { resealed: 0, unopenable: {}, remaining: 0 };
  for (const { table, column } of SEALED_COLUMNS) {
    let after = '(0,0)';
    for (;;) {
      const { rows } = await deps.db.raw<{ rows: { ctid: string; sealed: string }[] }>(
        // t.ctid: a bare `ctid` in ORDER BY would be the text alias, ordering "(0,10)" before "(0,5)".
        `select t.ctid::text as ctid, t.?? as sealed from ?? as t where t.?? is not null and left(t.??, ?) <> ? and t.ctid > ?::tid order by t.ctid limit ?`,
        [column, table, column, column, prefix.length, prefix, after, batchSize],
      );
      if (rows.length === 0) break;
      await deps.db.transaction(async (trx) => {
        for (const row of rows) {
          let next: string | null;
          try {
            next = deps.secrets.reseal(row.sealed);
          } catch {
            const name = `${table}.${column}`;
            report.unopenable[name] = (report.unopenable[name] ?? 0) + 1;
            continue;
          }
          if (next === null) continue;
          report.resealed += await trx(table).whereRaw('ctid = ?::tid', [row.ctid]).andWhere(column, row.sealed).update({ [column]: next });
        }
      });
      after = rows[rows.length - 1]?.ctid ?? after;
    }
    const [left] = await deps.db(table).whereNotNull(column).andWhereRaw('left(??, ?) <> ?', [column, prefix.length, prefix]).count<{ count: string }[]>('* as count');
    report.remaining += Number(left?.count ?? 0);
  }
  const unopenable = Object.values(report.unopenable).reduce((a, b) => a + b, 0);
  if (unopenable > 0) {
    deps.logger?.error({ unopenable: report.unopenable }, 'secrets sealed under a key that is no longer configured: put that key back in THREADLINE_ENCRYPTION_KEYS_PREVIOUS, or connect those accounts again');
  } else if (report.remaining > 0) {
    deps.logger?.warn({ resealed: report.resealed, remaining: report.remaining }, 'secrets under a previous key remain; the next run re-seals them');
  } else if (report.resealed > 0) {
    deps.logger?.info({ resealed: report.resealed }, 'every secret is sealed under the current key; THREADLINE_ENCRYPTION_KEYS_PREVIOUS may now be emptied');
  }
  return report;
}

export const RESEAL_SECRETS_TASK = 'reseal_secrets';
/** Hourly: after a key change everything is re-sealed without an operator step; a run with nothing to do is one query per column. */
export const RESEAL_SECRETS_CRONTAB = `41 * * * * ${RESEAL_SECRETS_TASK}`;

export function resealSecretsTask(deps: { db: Db; secrets: SecretBox; logger: Logger }): () => Promise<void> {
  return async () => {
    await resealSecrets(deps);
  };
}

/** Queues a run now (a process started with previous keys does, so rotation needs no operator step); one at a time. */
export async function queueResealSecrets(db: Db): Promise<void> {
  await db.raw("select graphile_worker.add_job(?, '{}'::json, job_key => ?, max_attempts => 5)", [RESEAL_SECRETS_TASK, RESEAL_SECRETS_TASK]);
}
