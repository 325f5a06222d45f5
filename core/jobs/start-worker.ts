import { EventEmitter } from 'node:events';
import { makeWorkerUtils, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import { Pool } from 'pg';
import type { Db } from '../db/connect';
import { silentGraphileLogger } from '../db/migrate';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { WorkerLiveness } from './worker-liveness';

export interface RunningWorker {
  runner: Runner;
  liveness: WorkerLiveness;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  concurrency?: number;
  pollIntervalMs?: number;
  heartbeatMs?: number;
  staleMs?: number;
}

/** Runs the job queue on the same PostgreSQL as the data, with job metrics and crash recovery. */
export async function startWorker(
  deps: { db: Db; connectionString: string; taskList: TaskList; logger: Logger; metrics: Metrics },
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  // Our own pool, so a connection dropped by a database restart is an event we log, not an
  // unhandled 'error' that crashes the process; graphile-worker reconnects on its own.
  const pgPool = new Pool({ connectionString: deps.connectionString, max: (options.concurrency ?? 8) + 4 });
  const connectionLost = (err: Error) => deps.logger.warn({ err }, 'job queue connection lost');
  pgPool.on('error', connectionLost);
  pgPool.on('connect', (client) => client.on('error', connectionLost));
  const utils = await makeWorkerUtils({ pgPool, logger: silentGraphileLogger });
  const liveness = new WorkerLiveness(deps.db, utils, deps.logger, { heartbeatMs: options.heartbeatMs, staleMs: options.staleMs });
  // Listeners go on before run() so no worker:create is missed.
  const events: WorkerEvents = new EventEmitter();
  // Jobs are locked by the pool's id (local queue) or a worker's id: remember both.
  events.on('pool:create', ({ workerPool }) => liveness.addWorker(workerPool.id));
  events.on('worker:create', ({ worker }) => liveness.addWorker(worker.workerId));
  events.on('job:success', ({ job }) => deps.metrics.jobsProcessed.inc({ task: job.task_identifier, outcome: 'success' }));
  events.on('job:error', ({ job, error }) => {
    deps.metrics.jobsProcessed.inc({ task: job.task_identifier, outcome: 'error' });
    deps.logger.warn({ err: error, task: job.task_identifier, attempts: job.attempts }, 'job failed; it will be retried');
  });
  events.on('job:failed', ({ job }) => deps.metrics.jobsProcessed.inc({ task: job.task_identifier, outcome: 'failed' }));
  const runner = await run({
    events,
    pgPool,
    concurrency: options.concurrency ?? 8,
    pollInterval: options.pollIntervalMs ?? 1_000,
    taskList: deps.taskList,
    noHandleSignals: true,
    logger: silentGraphileLogger,
  });
  await liveness.start();
  return {
    runner,
    liveness,
    stop: async () => {
      await runner.stop();
      await liveness.stop();
      await utils.release();
      await pgPool.end();
    },
  };
}
