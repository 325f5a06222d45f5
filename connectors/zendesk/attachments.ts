import type { Installation, ReplyContext, StagedAttachment } from '../../core/connectors/contract';
import { accountBaseUrl } from './client';
import { zendeskApiBase, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

/** Zendesk's own cap on a comment's attachments is higher; a WhatsApp reply of more files is not a reply. */
export const maxChannelbackFiles = 10;

export type StagedFiles = { ok: true; files: StagedAttachment[] } | { ok: false; status: 422 | 503; code: string; message: string };

/**
 * The channelback's `file_urls` (reference §1.6), downloaded with the push token as Bearer and kept by
 * core for the send. The token goes to this account's own Zendesk only: a URL anywhere else is refused
 * rather than fetched, so a file list can never carry the token off. All files are fetched before
 * anything is sent, so a file WhatsApp would refuse stops the whole reply, not half of it.
 */
export async function stageChannelbackFiles(
  installation: Installation<ZendeskConfig, ZendeskCredentials>, fileUrls: readonly string[], ctx: ReplyContext,
): Promise<StagedFiles> {
  if (fileUrls.length > maxChannelbackFiles) {
    return { ok: false, status: 422, code: 'TOO_MANY_FILES', message: `WhatsApp replies take at most ${maxChannelbackFiles} attachments; this one has ${fileUrls.length}: nothing was sent.` };
  }
  const accountBase = accountBaseUrl(zendeskApiBase(), installation.config.subdomain);
  const files: StagedAttachment[] = [];
  for (const fileUrl of fileUrls) {
    if (!URL.canParse(fileUrl) || !new URL(fileUrl).href.startsWith(`${accountBase}/`)) {
      ctx.logger.warn({ host: URL.canParse(fileUrl) ? new URL(fileUrl).host : 'invalid' }, 'channelback attachment outside this Zendesk account');
      return { ok: false, status: 422, code: 'ATTACHMENT_REFUSED', message: 'An attachment is not stored in this Zendesk account, so Threadline did not fetch it: nothing was sent.' };
    }
    const staged = await ctx.stageAttachment({ url: fileUrl, bearerToken: installation.credentials.pushToken, trustedHost: true });
    if (!staged.ok) {
      ctx.logger.info({ code: staged.code, retryable: staged.retryable }, 'channelback attachment not staged');
      return { ok: false, status: staged.retryable ? 503 : 422, code: staged.code, message: `Not sent to WhatsApp: ${staged.message}.` };
    }
    files.push(staged.attachment);
  }
  return { ok: true, files };
}
