import { z } from 'zod';
import type { SyncEvent } from '../../../core/connectors/contract';
import type { Json } from '../../../core/sync/conversation-event';

/**
 * `hs_communication_body` is rich text (HTML) on the timeline (reference §7.2): the message is escaped,
 * line breaks kept, and what WhatsApp shows beyond text added as links: a file as a link to the signed
 * Threadline URL the event carries (`data.media.url`, valid for days, not forever: the file stays in
 * Threadline), a location as a map link, a reply with the message it quotes.
 */
const bodyView = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('image'), image: z.looseObject({ caption: z.string().optional() }) }),
  z.looseObject({ type: z.literal('video'), video: z.looseObject({ caption: z.string().optional() }) }),
  z.looseObject({ type: z.literal('audio'), audio: z.looseObject({ voice: z.boolean().optional() }) }),
  z.looseObject({ type: z.literal('sticker') }),
  z.looseObject({ type: z.literal('document'), document: z.looseObject({ caption: z.string().optional(), filename: z.string().optional() }) }),
  z.looseObject({ type: z.literal('location'), location: z.looseObject({ latitude: z.number(), longitude: z.number(), name: z.string().optional() }) }),
]);
const mediaView = z.object({ url: z.url({ protocol: /^https?$/ }), filename: z.string().nullable().optional() });
const senderView = z.object({ platform: z.string(), name: z.string() });

export function renderMessageBody(event: SyncEvent): string {
  const parts: string[] = [];
  const quoted = str(event.data.quoted);
  if (quoted) parts.push(`<blockquote>${html(quoted.length > 200 ? `${quoted.slice(0, 199)}…` : quoted)}</blockquote>`);
  const body = bodyView.safeParse(event.data.body);
  const media = mediaView.safeParse(event.data.media);
  const line = str(event.data.text) ?? (body.success ? body.data.type : '(empty message)');
  parts.push(html(line));
  if (media.success) parts.push(`<a href="${html(media.data.url)}">${html(fileLabel(body.success ? body.data.type : 'file', media.data.filename ?? null))}</a>`);
  else if (body.success && body.data.type === 'location') {
    const { latitude, longitude } = body.data.location;
    const url = `https://www.google.com/maps/search/?api=1&query=${encodeURIComponent(`${latitude},${longitude}`)}`;
    parts.push(`<a href="${html(url)}">Map</a>`);
  }
  const sender = senderView.safeParse(event.data.sender);
  if (event.type === 'message.outbound' && sender.success) parts.push(`<em>Sent by ${html(sender.data.name)} (${html(sender.data.platform)})</em>`);
  return parts.join('<br>');
}

/** What the timeline says when WhatsApp did not deliver a message sent from HubSpot, and what to do. */
export function renderFailureNote(event: SyncEvent): string {
  return html(failureText(event));
}

export function failureReason(event: SyncEvent): string {
  const code = event.data.errorCode;
  const reason = [str(event.data.errorTitle), str(event.data.errorDetails)].filter((p) => p !== undefined).join(': ') || 'unknown reason';
  return `error ${code === undefined || code === null ? 'unknown' : String(code)}: ${reason}`;
}

function failureText(event: SyncEvent): string {
  const code = event.data.errorCode;
  const advice = code === 131047 || code === '131047'
    ? 'The 24-hour window had closed: send an approved template instead.'
    : 'Check the number, consent and message, then send it again.';
  return `WhatsApp did not deliver a message sent from HubSpot (${failureReason(event)}). ${advice}`;
}

function fileLabel(type: string, filename: string | null): string {
  const kinds: Record<string, string> = { image: 'Photo', video: 'Video', audio: 'Audio', sticker: 'Sticker', document: 'Document' };
  return filename ? `${kinds[type] ?? 'File'}: ${filename}` : (kinds[type] ?? 'File');
}

export function html(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;').replaceAll('\n', '<br>');
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
