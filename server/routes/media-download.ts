import { Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../core/observability/logger';
import { downloadMediaToStore, type DownloadMediaDeps, type MediaRow } from '../../core/media/download-media';
import { MEDIA_PATH, type MediaUrlSigner } from '../../core/media/signed-media-url';
import { sendError } from '../http-errors';

const messageId = z.uuid();

/** A safe ASCII fallback name, and the real one for clients that read RFC 5987 `filename*`. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^[. ]+/, '').slice(0, 120) || 'attachment';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name.slice(0, 200))}`;
}

function filenameOf(media: MediaRow, messageId: string, contentType: string): string {
  if (media.filename) return media.filename;
  const subtype = /^[a-z]+\/([a-z0-9.+-]+)/i.exec(contentType)?.[1]?.replace(/^jpeg$/, 'jpg') ?? 'bin';
  return `whatsapp-${messageId}.${subtype}`;
}

/**
 * Serves an inbound message's media to whoever holds a signed URL (MediaUrlSigner): the platform
 * that was handed it as an attachment URL. 403 for a forged or expired URL, 404 for no such media.
 *
 * A platform can ask before the download job has fetched the file from Meta (Zendesk fetches
 * `file_urls` seconds after a push, the job may be waiting behind others or retrying). Rather than
 * hold the event back, the route then downloads it itself through the same code the job uses:
 * the attachment works on the first try and the sync never waits for media. Should the job run at
 * the same moment, both write the same file; the last write wins and both are whole.
 */
export function mediaDownloadRoutes(deps: DownloadMediaDeps & { signer: MediaUrlSigner; logger: Logger }): Router {
  const router = Router();
  router.get(MEDIA_PATH, async (req, res) => {
    const id = req.params.messageId;
    const verdict = deps.signer.verify(id, req.query.expires, req.query.signature);
    if (verdict !== 'valid') {
      sendError(res, 403, verdict === 'expired' ? 'URL_EXPIRED' : 'BAD_SIGNATURE',
        verdict === 'expired' ? 'This media link has expired; open the conversation in Threadline for a fresh one' : 'This media link is not valid');
      return;
    }
    const media: MediaRow | undefined = messageId.safeParse(id).success ? await deps.db('media').where({ message_id: id }).first() : undefined;
    if (!media || media.state === 'failed') {
      sendError(res, 404, 'NOT_FOUND', media ? 'The file could not be downloaded from WhatsApp' : 'No media for this message');
      return;
    }
    let key = media.state === 'stored' ? media.blob_key : null;
    if (key === null) {
      try {
        const stored = await downloadMediaToStore(deps, media);
        if (stored === false) {
          sendError(res, 404, 'NOT_FOUND', 'The WhatsApp number this media came from is no longer connected');
          return;
        }
        key = stored.key;
      } catch (err) {
        deps.logger.warn({ err, messageId: id }, 'media asked for before it was downloaded, and the download failed');
        res.set('Retry-After', '30');
        sendError(res, 503, 'MEDIA_NOT_READY', 'The file is not downloaded from WhatsApp yet; try again shortly');
        return;
      }
    }
    const blob = await deps.blobs.get(key);
    if (!blob) {
      sendError(res, 404, 'NOT_FOUND', 'The stored file is gone');
      return;
    }
    res.set({
      'Content-Type': blob.contentType,
      'Content-Length': String(blob.data.length),
      'Content-Disposition': contentDisposition(filenameOf(media, id, blob.contentType)),
      'X-Content-Type-Options': 'nosniff',
      // The URL is a credential: no shared cache may keep the file or serve it to anyone else.
      'Cache-Control': 'private, no-store',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    res.status(200).end(blob.data);
  });
  return router;
}
