import type { SyncEvent } from '../../core/connectors/contract';
import type { Json, JsonObject } from '../../core/sync/conversation-event';
import type { ExternalResourceInput } from './client';
import type { ZendeskConfig } from './zendesk-settings';

/** External types of the links this connector saves (the `external_link` table). */
export const linkTypes = {
  /** conversation → the thread_id its ticket is keyed by. */
  thread: 'zendesk_thread',
  /** message → the external_id its comment was pushed with. */
  resource: 'zendesk_external_id',
  /** conversation → the Zendesk ticket id, from the resources_created_from_external_ids callback. */
  ticket: 'zendesk_ticket',
} as const;

const mediaTypes = new Set(['image', 'video', 'audio', 'sticker', 'document']);

/** What one event becomes: a resource to push, or why it is not shown in Zendesk. */
export type Mapped = { kind: 'push'; resource: ExternalResourceInput; threadId: string } | { kind: 'skip'; reason: string };

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

/** The customer as a Channel framework author: the same external id as the requester's Zendesk user (§4.2). */
export function customerExternalId(waId: string): string {
  return `whatsapp:${waId}`;
}

export function mapEventToResource(event: SyncEvent, config: ZendeskConfig): Mapped {
  const threadId = threadIdFor(event.conversationId);
  switch (event.type) {
    case 'message.inbound':
      return { kind: 'push', threadId, resource: comment(event, config, threadId, customerAuthor(event.data)) };
    case 'message.outbound':
      // An agent's channelback is on the ticket already: Zendesk wrote it there.
      if (event.origin.own) return { kind: 'skip', reason: 'written in this Zendesk account (its own echo)' };
      return { kind: 'push', threadId, resource: comment(event, config, threadId, senderAuthor(event.data.sender)) };
    case 'message.failed':
      // A note on a ticket that does not exist yet would open one with Threadline as its requester.
      if (event.links.conversation[linkTypes.thread] === undefined) return { kind: 'skip', reason: 'no ticket for this conversation yet' };
      return { kind: 'push', threadId, resource: failureNote(event, threadId) };
    default:
      return { kind: 'skip', reason: `${event.type} is not shown on Zendesk tickets` };
  }
}

function comment(event: SyncEvent, config: ZendeskConfig, threadId: string, author: ExternalResourceInput['author']): ExternalResourceInput {
  const lines = [nonEmpty(str(event.data.text)) ?? '(empty message)'];
  const link = extraLink(event, config);
  if (link) lines.push(`${link.label}: ${link.url}`);
  const html = [escapeHtml(lines[0] ?? '').replaceAll('\n', '<br>')];
  if (link) html.push(`${escapeHtml(link.label)}: <a href="${escapeHtml(link.url)}">${escapeHtml(link.url)}</a>`);
  const fields: NonNullable<ExternalResourceInput['fields']> = [];
  if (config.tags.length > 0) fields.push({ id: 'tags', value: config.tags });
  if (config.groupId !== undefined) fields.push({ id: 'group_id', value: config.groupId });
  return {
    external_id: event.externalId,
    message: lines.join('\n\n'),
    html_message: html.join('<br><br>'),
    thread_id: threadId,
    created_at: isoSeconds(str(event.data.sentAt) ?? event.occurredAt.toISOString()),
    author,
    ...(fields.length > 0 ? { fields } : {}),
  };
}

/** Media and locations: a link the agent can open (see `mediaLinkTemplate` for why not an attachment). */
function extraLink(event: SyncEvent, config: ZendeskConfig): { label: string; url: string } | undefined {
  const type = str(event.data.type);
  if (type === 'location') {
    const lat = num(event.data.latitude);
    const lng = num(event.data.longitude);
    const query = lat !== undefined && lng !== undefined ? `${lat},${lng}` : (str(event.data.text) ?? '').replace(/^📍\s*/u, '');
    return query === '' ? undefined : { label: 'Map', url: `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(query)}` };
  }
  if (type !== undefined && mediaTypes.has(type) && config.mediaLinkTemplate !== undefined && event.messageId !== null) {
    return { label: `Open the ${type} in Threadline`, url: config.mediaLinkTemplate.replaceAll('{messageId}', encodeURIComponent(event.messageId)) };
  }
  return undefined;
}

function customerAuthor(data: JsonObject): ExternalResourceInput['author'] {
  const waId = str(data.from);
  const name = nonEmpty(str(data.name)) ?? nonEmpty(str(data.contactName));
  // A customer known only by a business-scoped user id (no phone number) is keyed by their contact.
  if (waId === undefined) return { external_id: `threadline-contact:${str(data.contactId) ?? 'unknown'}`, name: name ?? 'WhatsApp customer' };
  return { external_id: customerExternalId(waId), name: name ?? `+${waId}` };
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
const num = (v: Json | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v);
