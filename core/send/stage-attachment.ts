import crypto from 'node:crypto';
import type { AttachmentSource, StageOutcome } from '../connectors/contract';
import type { BlobStore } from '../media/blob-store';
import { fetchAttachment } from './fetch-attachment';
import { baseMimeType, kindOfMimeType, MEDIA_LIMITS } from './media-limits';
import type { MediaKind } from './send-content';

export interface StageDeps {
  blobs: BlobStore;
  /** Hosts a file may come from although they resolve to private addresses (see public-url-guard.ts). */
  privateAttachmentHosts?: readonly string[];
}

/** Where a staged file lives: per workspace, named by its content, so staging it again is the same file. */
export function stagedBlobKey(workspaceId: string, ref: string): string {
  return `${workspaceId}/staged/${ref}`;
}

/** File hosts often answer `application/octet-stream`; the name then says what the file is. */
const typeByExtension: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', mp4: 'video/mp4', '3gp': 'video/3gpp',
  mp3: 'audio/mpeg', m4a: 'audio/mp4', ogg: 'audio/ogg', aac: 'audio/aac', amr: 'audio/amr', pdf: 'application/pdf', txt: 'text/plain',
  doc: 'application/msword', docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint', pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

function mimeTypeOf(contentType: string | undefined, filename: string | undefined): string {
  const served = contentType === undefined ? '' : baseMimeType(contentType);
  if (served !== '' && served !== 'application/octet-stream') return served;
  const extension = filename?.split('.').pop()?.toLowerCase() ?? '';
  return typeByExtension[extension] ?? (served || 'application/octet-stream');
}

function filenameOf(source: AttachmentSource): string | undefined {
  if (source.filename !== undefined && source.filename !== '') return source.filename;
  const url = new URL(source.url);
  // Zendesk's attachment URLs name the file in `?name=`; others end in it.
  const name = url.searchParams.get('name') ?? decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
  return name === '' ? undefined : name.slice(0, 240);
}

/**
 * Downloads a platform's attachment for a media reply and keeps it in the blob store, so the send
 * job reads the bytes from there: the credential that fetched them stays in this request, never in
 * a job payload. The kind follows the type, and the kind's WhatsApp limit stops the download as soon
 * as it is passed, before the file is in memory.
 */
export async function stageAttachment(deps: StageDeps, workspaceId: string, source: AttachmentSource): Promise<StageOutcome> {
  if (!URL.canParse(source.url)) return { ok: false, code: 'MEDIA_DOWNLOAD_FAILED', message: 'The attachment URL is not valid', retryable: false };
  const filename = filenameOf(source);
  let kind: MediaKind | undefined;
  let mimeType = '';
  const fetched = await fetchAttachment(source.url, (contentType) => {
    mimeType = mimeTypeOf(contentType, filename);
    kind = kindOfMimeType(mimeType);
    return kind === undefined ? 0 : MEDIA_LIMITS[kind].maxBytes;
  }, {
    allowedHosts: source.trustedHost === true ? [...(deps.privateAttachmentHosts ?? []), new URL(source.url).hostname] : deps.privateAttachmentHosts,
    ...(source.bearerToken === undefined ? {} : { bearerToken: source.bearerToken }),
  });
  const name = filename ?? 'attachment';
  if (!fetched.ok && fetched.tooLarge && kind === undefined) {
    return { ok: false, code: 'MEDIA_UNSUPPORTED', retryable: false, message: `WhatsApp cannot send ${name} (${mimeType || 'unknown type'}): send images (JPEG, PNG), videos (MP4), audio or PDF and Office documents` };
  }
  if (!fetched.ok && fetched.tooLarge && kind !== undefined) {
    return { ok: false, code: 'MEDIA_TOO_LARGE', retryable: false, message: `${name} is larger than WhatsApp allows for ${kind} files (${Math.floor(MEDIA_LIMITS[kind].maxBytes / 1024 / 1024 * 10) / 10} MB): share a link to it instead` };
  }
  if (!fetched.ok) return { ok: false, code: 'MEDIA_DOWNLOAD_FAILED', retryable: fetched.retryable, message: `Threadline could not download ${name}: ${fetched.message}` };
  if (kind === undefined) return { ok: false, code: 'MEDIA_UNSUPPORTED', retryable: false, message: `WhatsApp cannot send ${name} (${mimeType})` };
  const { data } = fetched.attachment;
  const ref = crypto.createHash('sha256').update(data).digest('hex');
  await deps.blobs.put(stagedBlobKey(workspaceId, ref), data, mimeType);
  return { ok: true, attachment: { ref, kind, mimeType, size: data.length, filename } };
}
