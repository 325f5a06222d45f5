import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { Logger } from '../observability/logger';
import { GraphApiError } from '../whatsapp/graph-error';
import { downloadMediaToStore, type DownloadMediaDeps, type MediaRow } from './download-media';

export const MEDIA_DOWNLOAD_TASK = 'media.download';

const payloadSchema = z.object({ workspaceId: z.string().uuid(), mediaId: z.string().uuid() });

export interface MediaDownloadDeps extends DownloadMediaDeps {
  logger: Logger;
}

/**
 * Fetches an inbound media file into the blob store while Meta still serves it (see
 * downloadMediaToStore). Retryable failures throw so the queue retries with backoff; the last
 * failure is recorded on the row.
 */
export function mediaDownloadTask(deps: MediaDownloadDeps): Task {
  return async (payload, helpers) => {
    const { workspaceId, mediaId } = payloadSchema.parse(payload);
    const media: MediaRow | undefined = await deps.db('media').where({ id: mediaId, workspace_id: workspaceId }).first();
    if (!media || media.state === 'stored') return;
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    try {
      await downloadMediaToStore(deps, media);
    } catch (err) {
      const permanent = err instanceof GraphApiError && err.kind === 'permanent';
      if (permanent || lastAttempt) {
        await deps.db('media').where({ id: media.id }).update({ state: 'failed', error: err instanceof Error ? err.message : String(err) });
        deps.logger.warn({ err, mediaId }, 'media download failed for good');
        return;
      }
      throw err;
    }
  };
}
