import type { Task, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { Db } from '../db/connect';
import type { EngineContext, ProcessInboxEvent } from '../engine/engine-context';
import { drainShard, type DrainOptions } from '../inbox/drain-shard';
import { drainTask } from '../inbox/shard';
import type { TaskLists } from './start-worker';

export interface TaskDeps {
  db: Db;
  engine: EngineContext;
  processInboxEvent: ProcessInboxEvent;
  drain?: DrainOptions;
  /** Tasks that wait on the network (media download, read receipts, …) keyed by identifier. */
  ioTasks?: TaskList;
  /** Recurring ones among them (graphile-worker crontab lines). */
  crontab?: string;
}

const drainPayload = z.object({ shard: z.number().int().min(0) });

/** Job payloads are data from our own database, but still checked: a bad one fails loudly. */
export function buildTaskLists(deps: TaskDeps): TaskLists {
  const drain: Task = async (payload) => {
    const { shard } = drainPayload.parse(payload);
    await drainShard(deps.db, deps.engine, deps.processInboxEvent, shard, deps.drain);
  };
  return { ordered: { [drainTask]: drain }, io: { ...deps.ioTasks }, ...(deps.crontab === undefined ? {} : { crontab: deps.crontab }) };
}
