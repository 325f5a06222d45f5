import crypto from 'node:crypto';
import type { WorkerUtils } from 'graphile-worker';
import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';

/**
 * graphile-worker releases a crashed worker's job and queue locks only after 4 hours. Each
 * process heartbeats its worker ids; any process whose heartbeat is stale is taken as dead
 * and its locks are released, so a restart (or a sibling process) resumes its work in seconds.
 *
 * A live process can strand locks too: when the database restarts under it, graphile-worker cannot record
 * a finished job, so the job and its queue stay locked by this process for 4 hours and the queue stops.
 * Each tick therefore also releases this process's locks on jobs it is not running, once they are older
 * than the stale limit (a job just fetched is already running by then: no job runs twice).
 */
export class WorkerLiveness {
  readonly processId = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  private readonly workerIds = new Set<string>();
  private readonly running = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly utils: WorkerUtils,
    private readonly logger: Logger,
    private readonly options: { heartbeatMs?: number; staleMs?: number } = {},
  ) {}

  /** A graphile-worker lock owner: a pool id or a worker id. */
  addWorker(workerId: string): void {
    this.workerIds.add(workerId);
  }

  /** graphile-worker's job:start and job:complete: the jobs this process is running now. */
  jobStarted(jobId: string): void {
    this.running.add(jobId);
  }

  jobEnded(jobId: string): void {
    this.running.delete(jobId);
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.logger.warn({ err }, 'worker heartbeat failed'));
    }, this.options.heartbeatMs ?? 5_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.db('worker_process').where({ id: this.processId }).delete();
  }

  /** Heartbeat, then release the locks of processes that stopped heartbeating. */
  async tick(): Promise<void> {
    await this.db('worker_process')
      .insert({ id: this.processId, worker_ids: [...this.workerIds], heartbeat_at: this.db.fn.now() })
      .onConflict('id')
      .merge();
    const staleSeconds = (this.options.staleMs ?? 120_000) / 1000;
    await this.releaseStranded(staleSeconds);
    const dead: { id: string; worker_ids: string[] }[] = await this.db('worker_process')
      .where('heartbeat_at', '<', this.db.raw(`now() - make_interval(secs => ?)`, [staleSeconds]))
      .select('id', 'worker_ids');
    if (dead.length === 0) return;
    const ids = dead.flatMap((d) => d.worker_ids);
    if (ids.length) await this.utils.forceUnlockWorkers(ids);
    await this.db('worker_process').whereIn('id', dead.map((d) => d.id)).delete();
    this.logger.warn({ processes: dead.map((d) => d.id), workers: ids.length }, 'released job locks of dead worker processes');
  }

  /** Our own locks on jobs we are not running (their outcome was lost with the connection), and their queues. */
  private async releaseStranded(staleSeconds: number): Promise<void> {
    const owners = [...this.workerIds];
    if (owners.length === 0) return;
    const running = [...this.running];
    const jobs = await this.db.raw(
      `update graphile_worker._private_jobs set locked_at = null, locked_by = null
        where locked_by = any(?::text[]) and locked_at < now() - make_interval(secs => ?) and not (id = any(?::bigint[]))`,
      [owners, staleSeconds, running],
    );
    const queues = await this.db.raw(
      `update graphile_worker._private_job_queues q set locked_at = null, locked_by = null
        where q.locked_by = any(?::text[]) and q.locked_at < now() - make_interval(secs => ?)
          and not exists (select 1 from graphile_worker._private_jobs j where j.job_queue_id = q.id and j.id = any(?::bigint[]))`,
      [owners, staleSeconds, running],
    );
    const released = (jobs.rowCount ?? 0) + (queues.rowCount ?? 0);
    if (released > 0) this.logger.warn({ jobs: jobs.rowCount, queues: queues.rowCount }, 'released job locks this process lost track of (database connection lost mid-job)');
  }
}
