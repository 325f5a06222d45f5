import { EventEmitter } from 'node:events';
import os from 'node:os';
import { makeWorkerUtils, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import { Pool } from 'pg';
import { connectDb, type Db } from '../db/connect';
import { silentGraphileLogger } from '../db/migrate';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { WorkerLiveness } from './worker-liveness';

/** How long a pool that stopped on its own waits before it starts again (the database may still be down). */
const POOL_RESTART_DELAY_MS = 1_000;

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
  events.on('job:start', ({ job }) => liveness.jobStarted(job.id));
  events.on('job:complete', ({ job }) => liveness.jobEnded(job.id));
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
    // Unbatched, graphile-worker 0.17 drops the promise of a job's completion: a database restart turns it
    // into an unhandled rejection that kills the whole process. Batched, a failed completion shuts the pool
    // down instead, and `supervise` below starts it again.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
  const runners: Runner[] = [];
  const live = new Set<Runner>();
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  /**
   * Runs a pool and starts it again whenever it stops on its own: graphile-worker shuts a pool down when it
   * cannot record a job's outcome (the database went away). The jobs it held stay locked by its id until
   * the liveness tick releases them.
   */
  const supervise = async (index: number, start: () => Promise<Runner>): Promise<void> => {
    const runner = await start();
    runners[index] = runner;
    live.add(runner);
    const restart = (err: unknown) => {
      live.delete(runner);
      if (stopping) return;
      deps.logger.error({ err }, 'a job queue pool stopped (database connection lost?); starting it again');
      const retry = () => {
        restartTimer = setTimeout(() => {
          if (!stopping) supervise(index, start).catch((startErr: unknown) => {
            deps.logger.warn({ err: startErr }, 'the job queue pool could not start yet; trying again');
            retry();
          });
        }, POOL_RESTART_DELAY_MS);
      };
      retry();
    };
    runner.promise.then(() => restart(undefined), restart);
  };
  await supervise(0, () => runPool(deps.taskLists.ordered, concurrency));
  await supervise(1, () => runPool(deps.taskLists.io, ioConcurrency, deps.taskLists.crontab));
  await liveness.start();
  return {
    runners,
    liveness,
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      await Promise.all([...live].map((r) => r.stop()));
      await liveness.stop();
      await utils.release();
      await pgPool.end();
      await livenessDb.destroy();
    },
  };
}
