import { createLogger } from '../../core/observability/logger';
import { startRuntime } from '../../server/runtime';
import { testConfig } from './test-runtime';

/**
 * A worker-only Threadline in its own process, so a test can SIGKILL it mid-job.
 * Prints "ready" once its worker runs.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  await startRuntime({ ...testConfig(), databaseUrl }, {
    http: false,
    migrate: false,
    logger: createLogger({ level: 'silent' }),
    worker: { heartbeatMs: 200, concurrency: 2 },
  });
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exit(1);
});
