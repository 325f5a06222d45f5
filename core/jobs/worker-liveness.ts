import crypto from 'node:crypto';
import type { WorkerUtils } from 'graphile-worker';
import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';

/**
 * graphile-worker releases a crashed worker's job and queue locks only after 4 hours. Each
 * process heartbeats its worker ids; any process whose heartbeat is stale is taken as dead
 * and its locks are released, so a restart (or a sibling process) resumes its work in seconds.
 */
export class WorkerLiveness {
  readonly processId = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  private readonly workerIds = new Set<string>();
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
    const dead: { id: string; worker_ids: string[] }[] = await this.db('worker_process')
      .where('heartbeat_at', '<', this.db.raw(`now() - make_interval(secs => ?)`, [staleSeconds]))
      .select('id', 'worker_ids');
    if (dead.length === 0) return;
    const ids = dead.flatMap((d) => d.worker_ids);
    if (ids.length) await this.utils.forceUnlockWorkers(ids);
    await this.db('worker_process').whereIn('id', dead.map((d) => d.id)).delete();
    this.logger.warn({ processes: dead.map((d) => d.id), workers: ids.length }, 'released job locks of dead worker processes');
  }
}
