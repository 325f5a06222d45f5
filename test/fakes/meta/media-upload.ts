import type { Request, Response as ExpressResponse } from 'express';
import type { FakeNumber, MetaFakeState } from './fake-state';
import { invalidParameter, mediaUploadError } from './graph-errors';
import { reply, replyError, setLoggedBody } from './request-log';

const MB = 1024 * 1024;
/** Supported upload types and their size limits (reference §5). Stickers: the animated limit. */
const limits: Record<string, number> = {
  'audio/aac': 16 * MB, 'audio/amr': 16 * MB, 'audio/mpeg': 16 * MB, 'audio/mp4': 16 * MB, 'audio/ogg': 16 * MB,
  'image/jpeg': 5 * MB, 'image/png': 5 * MB, 'image/webp': 500 * 1024,
  'video/mp4': 16 * MB, 'video/3gpp': 16 * MB,
  'text/plain': 100 * MB, 'application/pdf': 100 * MB, 'application/msword': 100 * MB,
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 100 * MB,
  'application/vnd.ms-excel': 100 * MB, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 100 * MB,
  'application/vnd.ms-powerpoint': 100 * MB, 'application/vnd.openxmlformats-officedocument.presentationml.presentation': 100 * MB,
};

/** POST /{pnid}/media, multipart: messaging_product=whatsapp, file, type (§5). Answers `{ id }`. */
export async function handleUpload(req: Request, res: ExpressResponse, state: MetaFakeState, number: FakeNumber): Promise<void> {
  if (!Buffer.isBuffer(req.body)) {
    replyError(res, invalidParameter('Upload must be multipart/form-data with messaging_product, file and type'));
    return;
  }
  // undici's multipart parser, reached through Response, saves adding a dependency.
  const form = await new Response(req.body, { headers: { 'content-type': req.get('content-type') ?? '' } }).formData().catch(() => undefined);
  const file = form?.get('file');
  const type = form?.get('type');
  const product = form?.get('messaging_product');
  setLoggedBody(res, { messaging_product: product, type, file: file instanceof Blob ? { size: file.size, type: file.type } : file });
  if (product !== 'whatsapp') return replyError(res, invalidParameter('The parameter messaging_product is required and must be "whatsapp".'));
  if (!(file instanceof Blob)) return replyError(res, invalidParameter('The parameter file is required.'));
  if (typeof type !== 'string' || type === '') return replyError(res, invalidParameter('The parameter type is required.'));
  const mime = type.split(';')[0]?.trim().toLowerCase() ?? '';
  const limit = limits[mime];
  if (limit === undefined) return replyError(res, mediaUploadError(`Unsupported media type ${type}`));
  if (file.size > limit) return replyError(res, mediaUploadError(`File of ${file.size} bytes is over the ${limit} byte limit for ${mime}`));
  const media = state.addMedia({ data: Buffer.from(await file.arrayBuffer()), mimeType: type, phoneNumberId: number.phoneNumberId });
  reply(res, 200, { id: media.id });
}
