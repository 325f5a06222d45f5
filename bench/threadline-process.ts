import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { z } from 'zod';
import { createLogger } from '../core/observability/logger';
import type { Config } from '../server/config';
import { startRuntime } from '../server/runtime';

/**
 * Threadline as the benchmark runs it: `startRuntime` with the HTTP server and the worker in one
 * process, as `npm start` does, on the bench's database (already migrated and seeded). Started by
 * bench/ingest.ts; prints `{"bench":"ready","url":…}` on stdout when listening, logs go to stderr.
 * SIGTERM stops it cleanly (so `--cpu-prof` profiles get written).
 */
const env = z.object({
  BENCH_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//),
  BENCH_APP_SECRET: z.string().min(8),
  BENCH_PORT: z.coerce.number().int().min(0).default(0),
  BENCH_LOG_LEVEL: z.string().default('warn'),
  BENCH_WORKER_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /** `off` runs the HTTP server alone (to measure the request path without the worker). */
  BENCH_WORKER: z.enum(['on', 'off']).default('on'),
}).parse(process.env);

async function main(): Promise<void> {
  const logger = createLogger({ level: env.BENCH_LOG_LEVEL, destination: pino.destination(2) });
  const config: Config & { databaseUrl: string } = {
    nodeEnv: 'production',
    port: env.BENCH_PORT,
    publicUrl: 'http://127.0.0.1',
    databaseUrl: env.BENCH_DATABASE_URL,
    dataDir: path.join(os.tmpdir(), `threadline-bench-${process.pid}`),
    encryptionKey: crypto.randomBytes(32),
    previousEncryptionKeys: [],
    adminToken: crypto.randomBytes(24).toString('base64url'),
    metaAppSecret: env.BENCH_APP_SECRET,
    metaVerifyToken: crypto.randomBytes(12).toString('base64url'),
    // Unreachable on purpose: the bench's traffic never needs Meta (no media, read receipts off).
    whatsappApiBase: 'http://127.0.0.1:9',
    whatsappApiVersion: 'v24.0',
    privateAttachmentHosts: ['127.0.0.1'],
    generated: [],
  };
  const runtime = await startRuntime(config, {
    logger,
    migrate: false,
    worker: env.BENCH_WORKER === 'off' ? false : env.BENCH_WORKER_CONCURRENCY ? { concurrency: env.BENCH_WORKER_CONCURRENCY } : true,
  });
  process.stdout.write(`${JSON.stringify({ bench: 'ready', url: runtime.url, pid: process.pid })}\n`);
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    runtime.stop().then(() => process.exit(0), (error: unknown) => {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    });
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`threadline-process failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
