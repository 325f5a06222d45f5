import { z } from 'zod';
import { createLogger } from '../../core/observability/logger';
import { startRuntime } from '../../server/runtime';
import { testConfig } from '../support/test-runtime';

/**
 * Threadline (server and worker in one process, as `npm start` runs it) for a fault test to SIGKILL and start
 * again on the same port, database and encryption key. Prints "ready" once it listens.
 */
const env = z.object({
  FAULT_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//),
  FAULT_PORT: z.coerce.number().int().positive(),
  FAULT_META_BASE: z.url(),
  FAULT_ENCRYPTION_KEY: z.base64().transform((k) => Buffer.from(k, 'base64')),
}).parse(process.env);

async function main(): Promise<void> {
  const publicUrl = `http://127.0.0.1:${env.FAULT_PORT}`;
  await startRuntime({ ...testConfig({ port: env.FAULT_PORT, publicUrl, whatsappApiBase: env.FAULT_META_BASE, encryptionKey: env.FAULT_ENCRYPTION_KEY }), databaseUrl: env.FAULT_DATABASE_URL }, {
    migrate: false,
    logger: createLogger({ level: 'silent' }),
    // A short heartbeat so the restarted process releases the killed one's job locks within a second.
    worker: { heartbeatMs: 200, staleMs: 1_000, pollIntervalMs: 50, ioConcurrency: 4 },
  });
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
