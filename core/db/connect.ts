import knex, { type Knex } from 'knex';
import pg from 'pg';

// int8 (bigserial ids, count(*)) as numbers: our counters stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));

export type Db = Knex;

/** Where knex reports pool trouble; callers already turn failed queries into errors of their own. */
export interface DbLog {
  warn(message: string): void;
  error(message: string): void;
}

const quiet: DbLog = { warn: () => undefined, error: () => undefined };

export function connectDb(url: string, options: { poolMax?: number; log?: DbLog } = {}): Db {
  const log = options.log ?? quiet;
  return knex({
    // Errors carry the SQL, not its values: a failed batch must not copy customer messages into logs.
    compileSqlOnError: false,
    log: { warn: (m: unknown) => log.warn(String(m)), error: (m: unknown) => log.error(String(m)), deprecate: (m: unknown) => log.warn(String(m)), debug: () => undefined },
    client: 'pg',
    connection: { connectionString: url, application_name: 'threadline' },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
}
