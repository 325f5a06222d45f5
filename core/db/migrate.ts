import { Logger as GraphileLogger, runMigrations } from 'graphile-worker';
import { migrationSource } from '../../migrations';
import type { Db } from './connect';

/** graphile-worker's own chatter stays out of our logs; our tasks log what matters. */
export const silentGraphileLogger = new GraphileLogger(() => () => undefined);

/** Brings the schema (ours and the job queue's) up to date. Safe to run on every start. */
export async function migrate(db: Db, connectionString: string): Promise<void> {
  await db.migrate.latest({ migrationSource });
  await runMigrations({ connectionString, logger: silentGraphileLogger });
}
