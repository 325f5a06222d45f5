import path from 'node:path';
import { Client } from 'pg';
import { connectDb } from '../../core/db/connect';
import { migrate } from '../../core/db/migrate';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../server/embedded-postgres';
import { databaseUrl, templateName } from './database-names';

declare global {
  var __threadlineEmbedded: EmbeddedDatabase | undefined;
}

/**
 * Prepares one migrated template database; each test file clones it (test/support/test-db.ts).
 * Uses TEST_DATABASE_URL or DATABASE_URL when set, otherwise an embedded PostgreSQL.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: path.resolve(__dirname, '../../.threadline/test-pg'), database: 'postgres' });
    globalThis.__threadlineEmbedded = embedded;
    adminUrl = embedded.url;
  }
  process.env.THREADLINE_TEST_ADMIN_URL = adminUrl;
  const template = templateName();
  process.env.THREADLINE_TEST_TEMPLATE = template;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${template}" with (force)`);
    await admin.query(`create database "${template}"`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(adminUrl, template);
  const db = connectDb(url, { poolMax: 2 });
  try {
    await migrate(db, url);
  } finally {
    await db.destroy();
  }
}
