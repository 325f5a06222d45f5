import { z } from 'zod';
import type { SyncEvent } from '../../../core/connectors/contract';

/**
 * `Body__c` is plain long text (reference §3.3): the readable line core keeps for every message type (`data.text`:
 * captions, file names, button titles, reactions, locations …), after the text it replies to, with a map link for
 * a location and who sent an outbound reply. A file's signed URL goes to `Media_Url__c`, not here.
 */
const location = z.looseObject({ type: z.literal('location'), location: z.looseObject({ latitude: z.number(), longitude: z.number() }) });
const sender = z.object({ platform: z.string(), name: z.string() });
const text = z.string().trim().min(1);
const bodyLimit = 131_072;

export function renderBody(event: SyncEvent): string {
  const lines: string[] = [];
  const quoted = text.safeParse(event.data.quoted);
  if (quoted.success) lines.push(`> ${quoted.data.length > 200 ? `${quoted.data.slice(0, 199)}…` : quoted.data}`);
  const line = text.safeParse(event.data.text);
  lines.push(line.success ? line.data : `[${typeof event.data.type === 'string' ? event.data.type : 'message'}]`);
  const place = location.safeParse(event.data.body);
  if (place.success) lines.push(`https://www.google.com/maps/search/?api=1&query=${place.data.location.latitude},${place.data.location.longitude}`);
  const by = sender.safeParse(event.data.sender);
  if (event.type === 'message.outbound' && by.success) lines.push(`— sent by ${by.data.name} (${by.data.platform})`);
  return lines.join('\n').slice(0, bodyLimit);
}

const media = z.object({ url: z.url({ protocol: /^https?$/ }) });
const mediaUrlLimit = 1000;

/** The signed Threadline URL of an inbound file (valid for days, the file stays in Threadline); undefined when none fits. */
export function mediaUrl(event: SyncEvent): string | undefined {
  const parsed = media.safeParse(event.data.media);
  return parsed.success && parsed.data.url.length <= mediaUrlLimit ? parsed.data.url : undefined;
}
