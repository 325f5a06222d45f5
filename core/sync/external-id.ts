import type { Json } from './conversation-event';

/**
 * The id a platform write is made idempotent with: built from the wamid for messages (the same
 * message is the same record on every retry, replay and redelivery), from the event id otherwise.
 */
export function externalIdFor(event: { type: string; eventId: string; data: { [key: string]: Json } }): string {
  const wamid = typeof event.data.wamid === 'string' ? event.data.wamid : null;
  if (wamid && (event.type === 'message.inbound' || event.type === 'message.outbound')) return `wa:${wamid}`;
  const status = typeof event.data.status === 'string' ? event.data.status : null;
  if (wamid && status && (event.type === 'message.status' || event.type === 'message.failed')) return `wa:${wamid}:${status}`;
  return `tl:${event.eventId}`;
}
