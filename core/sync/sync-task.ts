import type { Task } from 'graphile-worker';
import { z } from 'zod';
import { deliverInstallation, type SyncDeps } from './deliver-installation';

export { SYNC_TASK } from './wake-sync';

const payloadSchema = z.object({ workspaceId: z.string().uuid(), installationId: z.string().uuid() });

/**
 * The delivery job, for the worker's io pool (it waits on platforms). Failures of a platform are
 * handled inside (backoff, dead letters); a throw here is our own trouble (the database) and is
 * retried by the queue.
 */
export function syncTask(deps: SyncDeps): Task {
  return async (payload) => {
    const { workspaceId, installationId } = payloadSchema.parse(payload);
    await deliverInstallation(deps, workspaceId, installationId);
  };
}
