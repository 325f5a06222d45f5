import { z } from 'zod';
import type { SyncEvent } from '../../../core/connectors/contract';

/**
 * The WhatsApp customer a message event names (core/engine/ingest-message.ts, core/send/send-events.ts): inbound
 * messages carry `contactId`, `from` (wa_id), `fromUserId` (business-scoped user id, BSUID), `profileName` and
 * `username`; outbound ones `contactId` and `to` (null for a business-scoped user). `contactId`, Threadline's
 * contact, is the key of the mapping: a BSUID customer may have no wa_id at all.
 */
export interface Customer {
  contactId: string;
  waId: string | null;
  name: string | null;
}

const filled = z.string().trim().min(1).nullish().catch(null);
const inbound = z.object({ contactId: z.uuid(), from: filled, profileName: filled, username: filled });
const outbound = z.object({ contactId: z.uuid(), to: filled });

export function customerOf(event: SyncEvent): Customer | undefined {
  if (event.type === 'message.inbound') {
    const data = inbound.safeParse(event.data);
    return data.success ? { contactId: data.data.contactId, waId: data.data.from ?? null, name: data.data.profileName ?? data.data.username ?? null } : undefined;
  }
  if (event.type === 'message.outbound') {
    const data = outbound.safeParse(event.data);
    return data.success ? { contactId: data.data.contactId, waId: data.data.to ?? null, name: null } : undefined;
  }
  return undefined;
}
