import type { Knex } from 'knex';
import { MEDIA_DOWNLOAD_TASK } from '../media/media-download-task';
import { MEDIA_DOWNLOAD_MAX_ATTEMPTS } from './enqueue-job';
import type { MediaRef } from './message-body';
import { preparedQuery } from './prepared-query';

/**
 * Records an attachment as pending and enqueues its download in the same statement (so the same
 * transaction): the webhook URL lives 5 minutes, so the download must start at once.
 */
export async function storeMedia(trx: Knex.Transaction, args: { workspaceId: string; messageId: string; whatsappNumberId: string; media: MediaRef }): Promise<void> {
  const { workspaceId, messageId, whatsappNumberId, media } = args;
  await preparedQuery(trx,
    `with m as (
       insert into media (workspace_id, message_id, whatsapp_number_id, meta_media_id, source_url, mime_type, sha256, filename, state)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'pending')
       on conflict (message_id) do nothing
       returning id
     )
     select graphile_worker.add_job(?, json_build_object('workspaceId', ?::text, 'mediaId', m.id), max_attempts => ?) from m`,
    [workspaceId, messageId, whatsappNumberId, media.id, media.url, media.mimeType, media.sha256, media.filename,
      MEDIA_DOWNLOAD_TASK, workspaceId, MEDIA_DOWNLOAD_MAX_ATTEMPTS],
  );
}
