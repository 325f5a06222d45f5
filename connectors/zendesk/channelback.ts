import crypto from 'node:crypto';
import { z } from 'zod';
import type { Installation, OutgoingMessage, PlatformRequest, PlatformResponse, ReplyContext, ReplyRequest } from '../../core/connectors/contract';
import { agentAnswer, agentFacingFailure } from './agent-answers';
import { stageChannelbackFiles } from './attachments';
import { conversationIdOfThread } from './map-event-to-resource';
import { verifyInstallationMetadata } from './metadata';
import type { ZendeskConfig, ZendeskCredentials } from './zendesk-settings';

/** The channelback form (reference §1.6); limits as documented, unknown fields ignored. */
const channelbackForm = z.object({
  message: z.string().max(65_535).default(''),
  thread_id: z.string().max(511).optional(),
  parent_id: z.string().max(511).optional(),
  recipient_id: z.string().max(255).optional(),
  metadata: z.string().max(5_000).optional(),
  request_unique_identifier: z.string().min(1).max(255).optional(),
  file_urls: z.array(z.string()).default([]),
  /** Not in Zendesk's channelback payload (public replies only); refused if it ever says otherwise. */
  public: z.string().optional(),
  internal_note: z.string().optional(),
});

/**
 * Zendesk posts `application/x-www-form-urlencoded`, the attachment list as repeated `file_urls[]` keys
 * (§1.6 parser gotcha): parsed here from the raw body, so it does not matter which route received it.
 */
export function parseChannelbackForm(rawBody: Buffer): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  const files: string[] = [];
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    if (key === 'file_urls[]' || key === 'file_urls') files.push(value);
    else form[key] = value;
  }
  form.file_urls = files;
  return form;
}

/**
 * An agent's public reply from a ticket: verified by the signed metadata, sent through core's `send` once
 * per `request_unique_identifier`, answered as Zendesk expects: 200 `{ external_id }` once the message is
 * queued, 4xx with the reason when it will never go, 503 when trying again may help (§1.6 working rule;
 * Zendesk's retry semantics are [U]).
 *
 * Text and files: the text first, then each file as its own message, as the agent sees them in the
 * ticket (text above its attachments). A caption would cut the text at 1,024 characters and is not shown
 * on audio or stickers. Each part is idempotent on the request id and its index, so a retried
 * channelback sends the parts still missing and nothing twice.
 */
export async function receiveChannelback(
  installation: Installation<ZendeskConfig, ZendeskCredentials>, request: PlatformRequest, ctx: ReplyContext,
): Promise<PlatformResponse> {
  const parsed = channelbackForm.safeParse(parseChannelbackForm(request.rawBody));
  if (!parsed.success) return agentAnswer(400, 'INVALID_CHANNELBACK', `Threadline could not read this reply: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const form = parsed.data;
  if (!verifyInstallationMetadata(form.metadata, installation.id, installation.credentials.metadataKey)) {
    ctx.logger.warn({ installationId: installation.id }, 'channelback with metadata that does not verify');
    return agentAnswer(401, 'UNAUTHORIZED', 'This reply is not signed for this WhatsApp integration; reinstall the Threadline integration in Zendesk.');
  }
  // Zendesk channels back public replies only; anything marked otherwise stays in Zendesk.
  if (form.public === 'false' || form.internal_note === 'true') return agentAnswer(422, 'INTERNAL_NOTE', 'Internal notes are never sent to WhatsApp: nothing was sent.');
  if (form.message.trim() === '' && form.file_urls.length === 0) return agentAnswer(422, 'UNSUPPORTED', 'The reply is empty: nothing was sent.');
  const to = recipientOf(installation.config, form);
  if (to === undefined) return agentAnswer(422, 'NOT_FOUND', 'This ticket is not linked to a WhatsApp conversation: nothing was sent.');
  if (to === 'no-number') return agentAnswer(422, 'NO_NUMBER', 'This Zendesk integration account has no WhatsApp number: choose one in the Threadline integration settings. Nothing was sent.');

  const staged = await stageChannelbackFiles(installation, form.file_urls, ctx);
  if (!staged.ok) return agentAnswer(staged.status, staged.code, staged.message);
  const parts: OutgoingMessage[] = [
    ...(form.message.trim() === '' ? [] : [{ type: 'text' as const, text: form.message }]),
    ...staged.files.map((attachment) => ({ type: 'media' as const, attachment })),
  ];
  const key = `zendesk:channelback:${form.request_unique_identifier ?? bodyDigest(request.rawBody)}`;
  const author = { platform: 'zendesk', id: `${installation.config.subdomain}:${installation.config.instancePushId}`, name: `Zendesk agent (${installation.config.subdomain})` };
  let first: string | undefined;
  for (const [index, message] of parts.entries()) {
    const outcome = await ctx.send({ to, idempotencyKey: `${key}:${index}`, author, message });
    if (!outcome.ok) {
      const answer = agentFacingFailure(outcome, index > 0 ? ` (the first ${index} part${index > 1 ? 's were' : ' was'} sent)` : '');
      ctx.logger.info({ code: outcome.code, status: answer.status, part: index }, 'channelback not sent');
      return answer;
    }
    first ??= outcome.messageId;
  }
  // Keyed by our message id, which exists now (the wamid only once Meta accepts it): a later failure of
  // this message reaches the ticket as a private note (map-event-to-resource's failureNote).
  return { status: 200, body: { external_id: `threadline:message:${first ?? ''}`, allow_channelback: true } };
}

/**
 * The conversation from the thread we pushed, else the customer by phone: either way on this account's
 * number only, so one account's metadata can never send from another account's number.
 */
function recipientOf(config: ZendeskConfig, form: z.infer<typeof channelbackForm>): ReplyRequest['to'] | 'no-number' | undefined {
  const conversationId = conversationIdOfThread(form.thread_id);
  const waId = /^whatsapp:(\d{5,20})$/.exec(form.recipient_id ?? '')?.[1];
  if (conversationId === undefined && waId === undefined) return undefined;
  const phoneNumberId = config.phoneNumberId;
  if (phoneNumberId === undefined) return 'no-number';
  if (conversationId !== undefined) return { conversationId, phoneNumberId };
  return waId === undefined ? undefined : { waId, phoneNumberId };
}

/**
 * Without `request_unique_identifier` (documented as always sent), the same body is taken as the same
 * reply: a retry must never send twice, at the cost of an identical second reply to the same thread.
 */
function bodyDigest(rawBody: Buffer): string {
  return `body-sha256:${crypto.createHash('sha256').update(rawBody).digest('hex')}`;
}
