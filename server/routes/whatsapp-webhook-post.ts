import type { IncomingMessage, ServerResponse } from 'node:http';
import { ingestWebhook, type IngestDeps } from '../../core/inbox/ingest-webhook';

/** Meta allows batches of up to 1,000 updates; 3 MB is the size third parties report. */
export const WEBHOOK_BODY_LIMIT_BYTES = 3 * 1024 * 1024;
export const WEBHOOK_PATH = '/webhooks/whatsapp';

/**
 * `POST /webhooks/whatsapp` on bare node:http: the hottest path in the product, where express,
 * helmet and body parsing cost more CPU than storing the events (measured by bench:ingest).
 * Same answers as the rest of the API: JSON `{ error: { code, message } }`.
 */
export function whatsappWebhookPost(deps: IngestDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > WEBHOOK_BODY_LIMIT_BYTES) {
      reply(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this endpoint accepts' } }, true);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooLarge) {
        reply(res, 413, { error: { code: 'PAYLOAD_TOO_LARGE', message: 'The request body is larger than this endpoint accepts' } }, true);
        return;
      }
      const signature = req.headers['x-hub-signature-256'];
      ingestWebhook(deps, Buffer.concat(chunks, size), Array.isArray(signature) ? signature[0] : signature)
        .then((outcome) => {
          if (outcome.ok) reply(res, 200, { received: outcome.events, stored: outcome.stored, duplicates: outcome.duplicates });
          else reply(res, outcome.status, { error: { code: outcome.code, message: outcome.message } });
        })
        .catch((err: unknown) => {
          deps.logger.error({ err }, 'webhook handler failed');
          reply(res, 500, { error: { code: 'INTERNAL', message: 'Something went wrong on our side; it has been logged' } });
        });
    });
  };
}

function reply(res: ServerResponse, status: number, body: object, close = false): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'x-content-type-options': 'nosniff',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(json);
}
