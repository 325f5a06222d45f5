import path from 'node:path';
import { createLogger } from '../core/observability/logger';
import { ConfigError, loadConfig } from './config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { startRuntime } from './runtime';

/** `npm start`: the server and its worker in one process, on an embedded PostgreSQL when DATABASE_URL is unset. */
async function main(): Promise<void> {
  const logger = createLogger();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const role = process.env.THREADLINE_ROLE ?? 'all'; // all | server | worker

  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.info({ dataDir: config.dataDir }, 'DATABASE_URL is not set: starting the embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pgdata') });
    databaseUrl = embedded.url;
  }
  const runtime = await startRuntime({ ...config, databaseUrl }, { logger, http: role !== 'worker', worker: role !== 'server' });

  const lines = [
    `Threadline is running (${config.nodeEnv}).`,
    `  Webhook callback URL for Meta: ${config.publicUrl}/webhooks/whatsapp`,
    `  Admin console:                 ${config.publicUrl}/admin (sign in with the admin token)`,
    `  Admin API:                     ${config.publicUrl}/api/v1 (OpenAPI at /api/v1/openapi.json)`,
    `  Health:                        ${config.publicUrl}/healthz, /readyz, /metrics`,
  ];
  if (config.generated.length) {
    lines.push(`  Development values, generated once into ${path.join(config.dataDir, 'dev-secrets.json')} (set them in the environment for production):`);
    if (config.generated.includes('THREADLINE_ADMIN_TOKEN')) lines.push(`    THREADLINE_ADMIN_TOKEN=${config.adminToken}`);
    if (config.generated.includes('META_VERIFY_TOKEN')) lines.push(`    META_VERIFY_TOKEN=${config.metaVerifyToken}`);
    if (config.generated.includes('META_APP_SECRET')) lines.push('    META_APP_SECRET: generated (webhooks must be signed with it; see dev-secrets.json)');
    if (config.generated.includes('THREADLINE_ENCRYPTION_KEY')) lines.push('    THREADLINE_ENCRYPTION_KEY: generated; losing it makes stored tokens unreadable');
  }
  // Printed, not logged: the operator needs these once; logs must never carry secrets.
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await runtime.stop();
      await embedded?.stop();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Threadline failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
