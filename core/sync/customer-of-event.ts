import { z } from 'zod';
import type { SyncEvent } from '../connectors/contract';

/**
 * The WhatsApp customer a message event names (core/engine/ingest-message.ts, core/send/send-events.ts): inbound
 * messages carry `contactId`, `from` (wa_id), `fromUserId` (business-scoped user id, BSUID), `profileName` and
 * `username`; outbound ones `contactId` and `to` (null for a business-scoped user). `contactId`, Threadline's
 * contact, is the key a platform maps: a BSUID customer may have no wa_id at all.
 */
export interface Customer {
  contactId: string;
  waId: string | null;
  userId: string | null;
  name: string | null;
}

const filled = z.string().trim().min(1).nullish().catch(null);
const inbound = z.object({ contactId: z.uuid(), from: filled, fromUserId: filled, profileName: filled, username: filled });
const outbound = z.object({ contactId: z.uuid(), to: filled });

/** The customer of a message event; undefined for other events and for one that names no contact. */
export function customerOfEvent(event: Pick<SyncEvent, 'type' | 'data'>): Customer | undefined {
  if (event.type === 'message.inbound') {
    const data = inbound.safeParse(event.data);
    if (!data.success) return undefined;
    const { contactId, from, fromUserId, profileName, username } = data.data;
    return { contactId, waId: from ?? null, userId: fromUserId ?? null, name: profileName ?? username ?? null };
  }
  if (event.type === 'message.outbound') {
    const data = outbound.safeParse(event.data);
    return data.success ? { contactId: data.data.contactId, waId: data.data.to ?? null, userId: null, name: null } : undefined;
  }
  return undefined;
}
