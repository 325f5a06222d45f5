import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { FakeAccount } from './fake-account';
import { accountOf, bearerToken, sendError } from './http-helpers';
import { unauthorized } from './zendesk-errors';

/** A file an agent attached to a reply: what a channelback's `file_urls[]` point at. */
export interface FakeAttachment {
  data: Buffer;
  contentType: string;
  filename: string;
}

const attachmentsByAccount = new WeakMap<FakeAccount, Map<string, FakeAttachment>>();

/**
 * Stores an attachment in an account and returns its URL as Zendesk writes it in a channelback
 * (`{base}/attachments/token/{token}/?name={filename}`); `baseUrl` is `fake.baseUrlFor(subdomain)`.
 */
export function addAgentAttachment(account: FakeAccount, baseUrl: string, attachment: FakeAttachment): string {
  const token = crypto.randomBytes(12).toString('base64url');
  const files = attachmentsByAccount.get(account) ?? new Map<string, FakeAttachment>();
  attachmentsByAccount.set(account, files);
  files.set(token, attachment);
  return `${baseUrl}/attachments/token/${token}/?name=${encodeURIComponent(attachment.filename)}`;
}

/**
 * GET /attachments/token/:token: channelback attachments are downloaded with the push token as Bearer
 * (reference §1.6): a push token of an instance of this account, else 401 as the API answers; an
 * unknown token 404.
 */
export function attachmentRouter(): express.Router {
  const router = express.Router();
  router.get('/token/:token', (req: Request<{ token: string }>, res: Response) => {
    const account = accountOf(req);
    const token = bearerToken(req);
    if (token === undefined || ![...account.pushInstances.values()].some((i) => i.token === token)) return sendError(res, unauthorized());
    const file = attachmentsByAccount.get(account)?.get(req.params.token);
    if (!file) return sendError(res, { status: 404, body: { error: 'RecordNotFound', description: 'Not found' } });
    res.status(200).set({ 'Content-Type': file.contentType, 'Content-Disposition': `attachment; filename="${file.filename}"` }).send(file.data);
  });
  return router;
}
