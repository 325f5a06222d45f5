import { EventEmitter } from 'node:events';
import os from 'node:os';
import { makeWorkerUtils, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import { Pool } from 'pg';
import { connectDb, type Db } from '../db/connect';
import { silentGraphileLogger } from '../db/migrate';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { WorkerLiveness } from './worker-liveness';

export interface RunningWorker {
  runners: Runner[];
  liveness: WorkerLiveness;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Jobs that keep conversations in order (CPU and database bound). Default: one per core. */
  concurrency?: number;
  /** Jobs that wait on the network (media downloads, read receipts). Default 8. */
  ioConcurrency?: number;
  pollIntervalMs?: number;
  heartbeatMs?: number;
  staleMs?: number;
}

/** The two kinds of work, run by separate pools so a slow download never holds up ordered processing. */
export interface TaskLists {
  ordered: TaskList;
  io: TaskList;
  /** Recurring io tasks, in graphile-worker's crontab format (one line per task); runs in whichever worker gets the slot. */
  crontab?: string;
}

/**
 * Runs the job queue on the same PostgreSQL as the data, with job metrics and crash recovery.
 * Ordered work gets about one slot per core (more only adds contention: measured by bench:ingest);
 * network-bound work gets more slots, as it mostly waits.
 */
export async function startWorker(
  deps: { db: Db; connectionString: string; taskLists: TaskLists; logger: Logger; metrics: Metrics },
  options: WorkerOptions = {},
): Promise<RunningWorker> {
  // Our own pool, so a connection dropped by a database restart is an event we log, not an
  // unhandled 'error' that crashes the process; graphile-worker reconnects on its own.
  const concurrency = options.concurrency ?? Math.max(2, os.availableParallelism());
  const ioConcurrency = options.ioConcurrency ?? 8;
  const pgPool = new Pool({ connectionString: deps.connectionString, max: concurrency + ioConcurrency + 4 });
  const connectionLost = (err: Error) => deps.logger.warn({ err }, 'job queue connection lost');
  pgPool.on('error', connectionLost);
  pgPool.on('connect', (client) => client.on('error', connectionLost));
  const utils = await makeWorkerUtils({ pgPool, logger: silentGraphileLogger });
  // The heartbeat has a connection of its own: a busy shared pool must never make a live process look dead.
  const livenessDb = connectDb(deps.connectionString, { poolMax: 1 });
  const liveness = new WorkerLiveness(livenessDb, utils, deps.logger, { heartbeatMs: options.heartbeatMs, staleMs: options.staleMs });
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
  const runPool = (taskList: TaskList, poolConcurrency: number, crontab?: string) => run({
    events,
    pgPool,
    concurrency: poolConcurrency,
    pollInterval: options.pollIntervalMs ?? 1_000,
    taskList,
    ...(crontab === undefined ? {} : { crontab }),
    noHandleSignals: true,
    logger: silentGraphileLogger,
  });
  const runners = [await runPool(deps.taskLists.ordered, concurrency), await runPool(deps.taskLists.io, ioConcurrency, deps.taskLists.crontab)];
  await liveness.start();
  return {
    runners,
    liveness,
    stop: async () => {
      await Promise.all(runners.map((r) => r.stop()));
      await liveness.stop();
      await utils.release();
      await pgPool.end();
      await livenessDb.destroy();
    },
  };
}
