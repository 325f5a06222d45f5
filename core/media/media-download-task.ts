import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { loadNumberAccess, markNumberNeedsAttention } from '../numbers/number-access';
import type { Logger } from '../observability/logger';
import type { GraphClient } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';
import type { BlobStore } from './blob-store';

export const MEDIA_DOWNLOAD_TASK = 'media.download';
/** Inbound files over 100 MB never reach us (131052); anything larger is not Meta's. */
const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

const payloadSchema = z.object({ workspaceId: z.string().uuid(), mediaId: z.string().uuid() });

interface MediaRow {
  id: string; workspace_id: string; whatsapp_number_id: string; meta_media_id: string; source_url: string | null; mime_type: string; state: string;
}

export interface MediaDownloadDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  blobs: BlobStore;
  logger: Logger;
}

/**
 * Fetches an inbound media file into the blob store while Meta still serves it (URLs live
 * 5 minutes, media ids 7 days). A URL that fails is replaced by a fresh one from the media id; retryable
 * failures throw so the queue retries with backoff; the last failure is recorded on the row.
 */
export function mediaDownloadTask(deps: MediaDownloadDeps): Task {
  return async (payload, helpers) => {
    const { workspaceId, mediaId } = payloadSchema.parse(payload);
    const media: MediaRow | undefined = await deps.db('media').where({ id: mediaId, workspace_id: workspaceId }).first();
    if (!media || media.state === 'stored') return;
    const access = await loadNumberAccess(deps.db, deps.secrets, workspaceId, media.whatsapp_number_id);
    if (!access) return;
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    try {
      const download = (url: string) => deps.graph.downloadMedia(url, access.token);
      let file;
      if (media.source_url) {
        try {
          file = await download(media.source_url);
        } catch (err) {
          // Expired (404), unreachable or refused: the media id still resolves to a fresh URL for 7 days.
          if (err instanceof GraphApiError && err.kind === 'token') throw err;
        }
      }
      file ??= await download((await deps.graph.getMediaUrl(media.meta_media_id, access.token, access.phoneNumberId)).url);
      if (file.data.length > MAX_MEDIA_BYTES) {
        throw new GraphApiError(`media is ${file.data.length} bytes, over the 100 MB WhatsApp limit`, { reason: 'unexpected_response', kind: 'permanent' });
      }
      const now = new Date();
      const key = `${workspaceId}/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${media.id}`;
      const contentType = file.contentType || media.mime_type;
      await deps.blobs.put(key, file.data, contentType);
      await deps.db('media').where({ id: media.id }).update({ state: 'stored', blob_key: key, size_bytes: file.data.length, stored_at: now, error: null, source_url: null });
    } catch (err) {
      const permanent = err instanceof GraphApiError && err.kind === 'permanent';
      if (err instanceof GraphApiError && err.kind === 'token') await markNumberNeedsAttention(deps.db, workspaceId, access.id, `media download: ${err.message}`);
      if (permanent || lastAttempt) {
        await deps.db('media').where({ id: media.id }).update({ state: 'failed', error: err instanceof Error ? err.message : String(err) });
        deps.logger.warn({ err, mediaId }, 'media download failed for good');
        return;
      }
      throw err;
    }
  };
}
