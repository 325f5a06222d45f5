import type { Db } from '../db/connect';
import type { BlobStore } from '../media/blob-store';

export type ConversationMediaFile =
  | { ok: true; data: Buffer; contentType: string; filename: string | null }
  | { ok: false; code: 'NOT_FOUND' | 'NOT_STORED'; message: string };

/** The stored file of one message of one conversation of the workspace: another workspace's ids find nothing. */
export async function readConversationMedia(db: Db, blobs: BlobStore, workspaceId: string, conversationId: string, messageId: string): Promise<ConversationMediaFile> {
  const media: { state: string; blob_key: string | null; filename: string | null; error: string | null } | undefined = await db('media as d')
    .join('message as m', 'm.id', 'd.message_id')
    .where({ 'd.workspace_id': workspaceId, 'm.workspace_id': workspaceId, 'm.conversation_id': conversationId, 'm.id': messageId })
    .first('d.state', 'd.blob_key', 'd.filename', 'd.error');
  if (!media) return { ok: false, code: 'NOT_FOUND', message: 'This conversation has no file on that message.' };
  if (media.state !== 'stored' || media.blob_key === null) {
    return { ok: false, code: 'NOT_STORED', message: media.state === 'failed' ? `The file could not be downloaded from WhatsApp${media.error ? ` (${media.error})` : ''}.` : 'The file is not downloaded from WhatsApp yet; try again shortly.' };
  }
  const blob = await blobs.get(media.blob_key);
  if (!blob) return { ok: false, code: 'NOT_FOUND', message: 'The stored file is gone from the media store.' };
  return { ok: true, data: blob.data, contentType: blob.contentType, filename: media.filename };
}
