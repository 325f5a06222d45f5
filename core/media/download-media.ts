import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { loadNumberAccess, markNumberNeedsAttention } from '../numbers/number-access';
import type { GraphClient } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';
import type { BlobStore } from './blob-store';

/** Inbound files over 100 MB never reach us (131052); anything larger is not Meta's. */
const MAX_MEDIA_BYTES = 100 * 1024 * 1024;

export interface MediaRow {
  id: string; workspace_id: string; whatsapp_number_id: string; meta_media_id: string; source_url: string | null; mime_type: string; state: string;
  blob_key: string | null; filename: string | null;
}

export interface DownloadMediaDeps {
  db: Db;
  graph: GraphClient;
  secrets: SecretBox;
  blobs: BlobStore;
}

/**
 * Fetches one inbound media file from Meta into the blob store and marks its row stored. A URL that
 * fails is replaced by a fresh one from the media id (URLs live 5 minutes, ids 7 days). Throws the
 * GraphApiError on failure, after marking the number when Meta rejected its token; false when the
 * number is gone. Used by the download job and, when a platform asks first, by the media route.
 */
export async function downloadMediaToStore(deps: DownloadMediaDeps, media: MediaRow): Promise<{ key: string; contentType: string } | false> {
  const access = await loadNumberAccess(deps.db, deps.secrets, media.workspace_id, media.whatsapp_number_id);
  if (!access) return false;
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
    const key = `${media.workspace_id}/${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${media.id}`;
    const contentType = file.contentType || media.mime_type;
    await deps.blobs.put(key, file.data, contentType);
    await deps.db('media').where({ id: media.id }).update({ state: 'stored', blob_key: key, size_bytes: file.data.length, stored_at: now, error: null, source_url: null });
    return { key, contentType };
  } catch (err) {
    if (err instanceof GraphApiError && err.kind === 'token') await markNumberNeedsAttention(deps.db, media.workspace_id, access.id, `media download: ${err.message}`);
    throw err;
  }
}
