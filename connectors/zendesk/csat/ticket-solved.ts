import crypto from 'node:crypto';
import { z } from 'zod';
import type { Installation, PlatformRequest, PlatformResponse, ReplyContext } from '../../../core/connectors/contract';
import { isFinalRefusal } from '../../../core/connectors/reply-refusals';
import type { ZendeskConfig, ZendeskCredentials } from '../zendesk-settings';

/** Zendesk's headers on a webhook call (reference §4.6), lower-cased as node gives them. */
const SIGNATURE = 'x-zendesk-webhook-signature';
const TIMESTAMP = 'x-zendesk-webhook-signature-timestamp';
const INVOCATION = 'x-zendesk-webhook-invocation-id';

/** A signature older or newer than this is a replay (or a clock far off): refused. */
const maxSkewMs = 5 * 60_000;

/** The outbound_limits refusals: a decision for this solve, not worth Zendesk's retries (CSAT later would be late). */
const guardRailRefusals: ReadonlySet<string> = new Set(['FREQUENCY_CAPPED', 'QUIET_HOURS']);

/** What the provisioned trigger posts (csat/provision-csat.ts): placeholders render as strings. */
export const ticketSolvedPayload = z.object({ ticket_id: z.union([z.string().regex(/^\d{1,20}$/), z.int().positive()]).transform(String) });

/**
 * What the route hands the handler as `PlatformRequest.body`: the ticket the unverified body names and the
 * conversation THIS installation linked it to (null: not one of its WhatsApp tickets); null when unreadable.
 */
const solvedTicket = z.object({ ticketId: z.string(), conversationId: z.string().nullable() }).nullable();
export type SolvedTicket = z.infer<typeof solvedTicket>;

/** Base64 HMAC-SHA256 of timestamp + raw body under the webhook's signing secret (§4.6: no separator). */
export function zendeskWebhookSignature(secret: string, timestamp: string, rawBody: Buffer): string {
  return crypto.createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
}

/**
 * A solved ticket of a WhatsApp conversation closes it in Threadline, and the installation's CSAT template goes to the customer through
 * core's send, as an automation (guard rails on, inside the window too), once per invocation id: Zendesk's
 * redelivery carries the same id, and send's idempotency key (stored with the message) makes it a repeat.
 * A refusal by policy (frequency cap, quiet hours, consent) is an answer, 200, so Zendesk does not retry it
 * nor count it against the webhook; a failure that may pass is 503, which Zendesk retries.
 */
export async function receiveTicketSolved(
  installation: Installation<ZendeskConfig, ZendeskCredentials>, request: PlatformRequest, ctx: ReplyContext,
): Promise<PlatformResponse> {
  const webhook = installation.credentials.csatWebhook;
  if (!webhook) return answer(401, 'UNAUTHORIZED', 'No CSAT webhook is provisioned for this installation');
  const problem = signatureProblem(request, webhook.signingSecret, Date.now());
  if (problem) {
    ctx.logger.warn({ installationId: installation.id, problem }, 'Zendesk CSAT webhook refused');
    return answer(401, 'UNAUTHORIZED', problem);
  }
  const invocationId = request.headers[INVOCATION];
  if (!invocationId || invocationId.length > 200) return answer(400, 'INVOCATION_ID_INVALID', `The ${INVOCATION} header is missing or longer than 200 characters`);
  const solved = solvedTicket.parse(request.body);
  if (!solved) return answer(400, 'INVALID_PAYLOAD', 'Expected a JSON body { "ticket_id": "<id>" }');
  if (!solved.conversationId) return answer(404, 'NOT_A_WHATSAPP_TICKET', `Ticket ${solved.ticketId} is not a WhatsApp conversation of this integration`);
  // Solved on Zendesk is done in Threadline too: the closing rule (if any) says goodbye, a reply reopens the thread.
  await ctx.closeConversation(solved.conversationId);
  const { csat, phoneNumberId, subdomain } = installation.config;
  if (!csat) return { status: 200, body: { status: 'not_sent', code: 'CSAT_OFF', message: 'No CSAT template is set for this installation' } };

  const outcome = await ctx.send({
    to: { conversationId: solved.conversationId, ...(phoneNumberId === undefined ? {} : { phoneNumberId }) },
    idempotencyKey: `zendesk:csat:${invocationId}`,
    author: { platform: 'zendesk', id: `${subdomain}:trigger:csat`, name: `Zendesk CSAT trigger (${subdomain})` },
    message: { type: 'template', name: csat.template, language: csat.language, parameters: csat.parameters },
    unattended: true,
  });
  if (outcome.ok) return { status: 200, body: { status: 'sent', message_id: outcome.messageId } };
  ctx.logger.info({ installationId: installation.id, ticketId: solved.ticketId, code: outcome.code }, 'CSAT template not sent');
  if (!isFinalRefusal(outcome.code) && !guardRailRefusals.has(outcome.code)) return answer(503, outcome.code, outcome.message);
  return { status: 200, body: { status: 'not_sent', code: outcome.code, message: outcome.message } };
}

function signatureProblem(request: PlatformRequest, secret: string, now: number): string | null {
  const given = request.headers[SIGNATURE];
  const timestamp = request.headers[TIMESTAMP];
  if (!given || !timestamp) return `The ${SIGNATURE} and ${TIMESTAMP} headers are required`;
  const at = Date.parse(timestamp);
  if (Number.isNaN(at) || Math.abs(now - at) > maxSkewMs) return 'The signature timestamp is not within 5 minutes of now';
  // Hashes first: timingSafeEqual needs equal lengths, and a length must not leak either.
  const digest = (value: string) => crypto.createHash('sha256').update(value).digest();
  const valid = crypto.timingSafeEqual(digest(given), digest(zendeskWebhookSignature(secret, timestamp, request.rawBody)));
  return valid ? null : 'The signature does not match this installation\'s webhook signing secret';
}

function answer(status: number, code: string, message: string): PlatformResponse {
  return { status, body: { error: { code, message } } };
}
