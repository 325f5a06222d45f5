import crypto from 'node:crypto';
import { Client } from 'pg';
import { connectDb, type Db } from '../../core/db/connect';
import { databaseUrl } from './database-names';

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

function adminConfig(): { adminUrl: string; template: string } {
  const adminUrl = process.env.THREADLINE_TEST_ADMIN_URL;
  const template = process.env.THREADLINE_TEST_TEMPLATE;
  if (!adminUrl || !template) throw new Error('The jest globalSetup (test/support/global-setup.ts) did not run');
  return { adminUrl, template };
}

async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminConfig().adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An isolated, migrated database for one test file: a clone of the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = adminConfig();
  const name = `tl_t_${crypto.randomBytes(5).toString('hex')}`;
  await withAdmin((c) => c.query(`create database "${name}" template "${template}"`));
  const url = databaseUrl(adminUrl, name);
  const db = connectDb(url, { poolMax: 10 });
  return {
    url,
    db,
    drop: async () => {
      await db.destroy();
      await withAdmin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
