import { z } from 'zod';
import type { SyncEvent } from '../../core/connectors/contract';
import type { Json, JsonObject } from '../../core/sync/conversation-event';
import type { ExternalResourceInput } from './client';
import { customerOf, recipientOf, type CustomerIdentity } from './requester-identity';
import type { ZendeskConfig } from './zendesk-settings';

/** External types of the links this connector saves (the `external_link` table). */
export const linkTypes = {
  /** conversation → the thread_id its ticket is keyed by. */
  thread: 'zendesk_thread',
  /** message → the external_id its comment was pushed with. */
  resource: 'zendesk_external_id',
  /** conversation → the Zendesk ticket id, from the resources_created_from_external_ids callback. */
  ticket: 'zendesk_ticket',
  /** contact → the id of their Zendesk requester user, once it has external_id and phone identity (§4.2). */
  user: 'zendesk_user',
} as const;

const mediaTypes = new Set(['image', 'video', 'audio', 'sticker', 'document']);

/**
 * What one event becomes: a resource to push, or why it is not shown in Zendesk. `opener` goes first when this
 * event's push is the first of its conversation (`ticketOpener`).
 */
export type Mapped = { kind: 'push'; resource: ExternalResourceInput; threadId: string; opener?: ExternalResourceInput } | { kind: 'skip'; reason: string };

/**
 * One ticket per conversation (reference §1.9): every resource of a conversation carries this thread_id,
 * so Zendesk keeps them on one ticket, or opens a follow-up when that ticket is closed. A channelback
 * brings it back, which names the conversation even when `recipient_id` is null (§1.6).
 */
export function threadIdFor(conversationId: string): string {
  return `threadline:conversation:${conversationId}`;
}

export function conversationIdOfThread(threadId: string | undefined): string | undefined {
  const match = /^threadline:conversation:([0-9a-f-]{36})$/i.exec(threadId ?? '');
  return match?.[1];
}

export function mapEventToResource(event: SyncEvent, config: ZendeskConfig): Mapped {
  const threadId = threadIdFor(event.conversationId);
  switch (event.type) {
    case 'message.inbound':
      return { kind: 'push', threadId, resource: comment(event, config, threadId, customerAuthor(event.data)) };
    case 'message.outbound': {
      // An agent's channelback is on the ticket already: Zendesk wrote it there.
      if (event.origin.own) return { kind: 'skip', reason: 'written in this Zendesk account (its own echo)' };
      const sent = comment(event, config, threadId, senderAuthor(event.data.sender));
      return { kind: 'push', threadId, resource: sent, ...(opensTicket(event) ? { opener: ticketOpener(event, config, threadId, sent) } : {}) };
    }
    case 'message.failed':
      // A note on a ticket that does not exist yet would open one with Threadline as its requester.
      if (!hasTicket(event)) return { kind: 'skip', reason: 'no ticket for this conversation yet' };
      return { kind: 'push', threadId, resource: failureNote(event, threadId) };
    default:
      return { kind: 'skip', reason: `${event.type} is not shown on Zendesk tickets` };
  }
}

function hasTicket(event: SyncEvent): boolean {
  return event.links.conversation[linkTypes.thread] !== undefined;
}

/**
 * A message someone other than the customer wrote (a template from a CRM, the admin API, an automation) on a
 * conversation with no ticket on this account yet: unless an earlier event of the same push opens it, this one does.
 */
function opensTicket(event: SyncEvent): boolean {
  return event.type === 'message.outbound' && !event.origin.own && !hasTicket(event);
}

/** The customer an event names as its ticket's requester: an inbound message's sender, or whom a ticket-opening message went to. */
export function requesterOf(event: SyncEvent): CustomerIdentity | undefined {
  if (event.type === 'message.inbound') return customerOf(event.data);
  return opensTicket(event) ? recipientOf(event.data) : undefined;
}

/**
 * Zendesk makes the author of a thread's first resource the ticket's requester (§1.4; a ticket's requester is
 * its first comment's author), and the requester is who channelbacks answer, who the sidebar fills templates
 * for, and whose comments reopen the ticket. So a ticket the business starts is opened in the customer's name
 * (`whatsapp:<wa_id>`, the requester `ensureRequesters` sets up) by a private note saying who wrote first, and
 * the message follows as its sender's comment. Keyed by the conversation: a retried push imports it once.
 */
function ticketOpener(event: SyncEvent, config: ZendeskConfig, threadId: string, sent: ExternalResourceInput): ExternalResourceInput {
  const customer = recipientOf(event.data);
  const message = `Threadline opened this ticket for the WhatsApp conversation with ${customer.name}: the business wrote first (${sent.author.name ?? 'Threadline'}, below), not the customer.`;
  const fields = ticketFields(config);
  return {
    external_id: `threadline:ticket:${event.conversationId}`,
    message,
    html_message: escapeHtml(message),
    internal_note: true,
    thread_id: threadId,
    created_at: sent.created_at,
    author: { external_id: customer.externalId, name: customer.name },
    ...(fields.length > 0 ? { fields } : {}),
  };
}

/** Ticket fields from the installation's settings: Zendesk applies them only to the resource that creates the ticket. */
function ticketFields(config: ZendeskConfig): NonNullable<ExternalResourceInput['fields']> {
  const fields: NonNullable<ExternalResourceInput['fields']> = [];
  if (config.tags.length > 0) fields.push({ id: 'tags', value: config.tags });
  if (config.groupId !== undefined) fields.push({ id: 'group_id', value: config.groupId });
  return fields;
}

function comment(event: SyncEvent, config: ZendeskConfig, threadId: string, author: ExternalResourceInput['author']): ExternalResourceInput {
  const rendered = renderMessage(event, config);
  const fields = ticketFields(config);
  return {
    external_id: event.externalId,
    message: rendered.text,
    html_message: rendered.html,
    thread_id: threadId,
    created_at: isoSeconds(str(event.data.sentAt) ?? event.occurredAt.toISOString()),
    author,
    ...(rendered.fileUrls.length > 0 ? { file_urls: rendered.fileUrls } : {}),
    ...(fields.length > 0 ? { fields } : {}),
  };
}

/** The parts of a stored body (Meta's field names) the ticket shows better than core's one-line text. */
const bodyView = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('image'), image: z.looseObject({ caption: z.string().optional() }) }),
  z.looseObject({ type: z.literal('video'), video: z.looseObject({ caption: z.string().optional() }) }),
  z.looseObject({ type: z.literal('audio'), audio: z.looseObject({ voice: z.boolean().optional() }) }),
  z.looseObject({ type: z.literal('sticker') }),
  z.looseObject({ type: z.literal('document'), document: z.looseObject({ caption: z.string().optional(), filename: z.string().optional() }) }),
  z.looseObject({
    type: z.literal('location'),
    location: z.looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }),
  }),
  z.looseObject({ type: z.literal('reaction'), reaction: z.looseObject({ emoji: z.string().optional() }) }),
  z.looseObject({ type: z.literal('unsupported'), originalType: z.string() }),
]);
/** The signed Threadline URL core adds to a media event (see SyncEvent.data). */
const mediaView = z.object({ url: z.url({ protocol: /^https?$/ }) });

interface Rendered { text: string; html: string; fileUrls: string[] }

/**
 * What the agent reads: core's readable line (buttons and list replies as the chosen title, contacts,
 * orders), improved where the body says more: a file as its caption or kind plus the file itself as an
 * attachment, a location as a map link, a reaction with the message it reacts to, a reply with its quote.
 */
function renderMessage(event: SyncEvent, config: ZendeskConfig): Rendered {
  const body = bodyView.safeParse(event.data.body);
  const quoted = nonEmpty(str(event.data.quoted));
  const media = mediaView.safeParse(event.data.media);
  const line = (body.success ? lineOf(body.data, quoted) : undefined) ?? nonEmpty(str(event.data.text)) ?? '(empty message)';
  const text: string[] = [];
  const html: string[] = [];
  if (quoted !== undefined && !(body.success && body.data.type === 'reaction')) {
    const short = quoted.length > 200 ? `${quoted.slice(0, 199)}…` : quoted;
    text.push(`> ${short.replaceAll('\n', '\n> ')}`);
    html.push(`<blockquote>${escapeHtml(short).replaceAll('\n', '<br>')}</blockquote>`);
  }
  text.push(line);
  html.push(escapeHtml(line).replaceAll('\n', '<br>'));
  const link = body.success ? extraLink(body.data, event, config, media.success) : undefined;
  if (link) {
    text.push(`${link.label}: ${link.url}`);
    html.push(`${escapeHtml(link.label)}: <a href="${escapeHtml(link.url)}">${escapeHtml(link.url)}</a>`);
  }
  return { text: text.join('\n\n'), html: html.join('<br><br>'), fileUrls: media.success ? [media.data.url] : [] };
}

function lineOf(body: z.infer<typeof bodyView>, quoted: string | undefined): string | undefined {
  switch (body.type) {
    case 'image': return nonEmpty(body.image.caption) ?? 'Photo';
    case 'video': return nonEmpty(body.video.caption) ?? 'Video';
    case 'audio': return body.audio.voice === true ? 'Voice message' : 'Audio';
    case 'sticker': return 'Sticker';
    case 'document': return [body.document.filename, body.document.caption].filter((p) => nonEmpty(p) !== undefined).join(' — ') || 'Document';
    case 'reaction': {
      const what = quoted === undefined ? 'an earlier message' : `"${quoted.length > 200 ? `${quoted.slice(0, 199)}…` : quoted}"`;
      return nonEmpty(body.reaction.emoji) === undefined ? `Removed their reaction to ${what}` : `Reacted ${body.reaction.emoji ?? ''} to ${what}`;
    }
    case 'unsupported':
      return `The customer sent a kind of WhatsApp message Threadline cannot show (${body.originalType}): ask them to send it as text, a photo or a document.`;
    default:
      return undefined;
  }
}

/** Locations: a map link. Media without a signed URL: the `mediaLinkTemplate` link, if configured. */
function extraLink(body: z.infer<typeof bodyView>, event: SyncEvent, config: ZendeskConfig, attached: boolean): { label: string; url: string } | undefined {
  if (body.type === 'location') {
    return { label: 'Map', url: `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(`${body.location.latitude},${body.location.longitude}`)}` };
  }
  if (!attached && mediaTypes.has(body.type) && config.mediaLinkTemplate !== undefined && event.messageId !== null) {
    return { label: `Open the ${body.type} in Threadline`, url: config.mediaLinkTemplate.replaceAll('{messageId}', encodeURIComponent(event.messageId)) };
  }
  return undefined;
}

function customerAuthor(data: JsonObject): ExternalResourceInput['author'] {
  const customer = customerOf(data);
  return { external_id: customer.externalId, name: customer.name };
}

/** Who wrote an outbound message elsewhere (another platform's agent, the API, a bot). */
function senderAuthor(sender: Json | undefined): ExternalResourceInput['author'] {
  const s = sender !== null && typeof sender === 'object' && !Array.isArray(sender) ? sender : {};
  const platform = nonEmpty(str(s.platform)) ?? 'threadline';
  const id = nonEmpty(str(s.id)) ?? 'system';
  const name = nonEmpty(str(s.name)) ?? 'Threadline';
  return { external_id: `threadline-agent:${platform}:${id}`.slice(0, 255).trim(), name: `${name} (${platform})`.slice(0, 255) };
}

/** A message WhatsApp did not deliver: a private note saying why and what to do (issue 4, item 4). */
function failureNote(event: SyncEvent, threadId: string): ExternalResourceInput {
  const code = event.data.errorCode;
  const reason = [str(event.data.errorTitle), str(event.data.errorDetails)].filter((p) => p !== undefined && p !== '').join(': ') || 'unknown reason';
  const outsideWindow = code === 131047 || code === '131047';
  const advice = outsideWindow ? 'The 24-hour window had closed: send an approved template instead.' : 'Check the number and message, then send it again.';
  const message = `WhatsApp did not deliver a message (error ${code === undefined || code === null ? 'unknown' : String(code)}: ${reason}). ${advice}`;
  return {
    external_id: event.externalId,
    message,
    html_message: escapeHtml(message),
    internal_note: true,
    thread_id: threadId,
    created_at: isoSeconds(str(event.data.at) ?? event.occurredAt.toISOString()),
    author: { external_id: 'threadline-agent:threadline:system', name: 'Threadline' },
  };
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** The docs' example format (`2015-09-08T22:48:09Z`): no milliseconds. */
function isoSeconds(value: string): string {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') : at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);
