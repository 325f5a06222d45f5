import { z } from 'zod';

/**
 * A CRM webhook request (reference §6.2): a JSON array of 1–100 events. HubSpot's own example calls the type
 * `subscriptionType`, the reference `eventType` [U]: either is taken. Ids arrive as numbers; fields we do not
 * use are let through (HubSpot adds fields without notice).
 */
const id = z.number().int().nonnegative();

export const crmEventSchema = z.object({
  subscriptionId: id,
  portalId: z.number().int().positive(),
  objectId: id,
  occurredAt: z.number().int().nonnegative(),
  subscriptionType: z.string().min(1).optional(),
  eventType: z.string().min(1).optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
  eventId: z.number().optional(),
  // Merge events (§6.2): the surviving record and the ones merged into it.
  primaryObjectId: id.optional(),
  mergedObjectIds: z.array(id).optional(),
  newObjectId: id.optional(),
}).refine((e) => e.subscriptionType !== undefined || e.eventType !== undefined, 'an event needs subscriptionType (or eventType)');

export type CrmEvent = z.infer<typeof crmEventSchema>;

export const crmEventBatchSchema = z.array(crmEventSchema).min(1, 'HubSpot sends at least one event').max(100, 'HubSpot sends at most 100 events per request');

export function typeOf(event: CrmEvent): string {
  return event.subscriptionType ?? event.eventType ?? '';
}

/** The contact properties whose change may move a contact to another WhatsApp number. */
export const PHONE_PROPERTIES: ReadonlySet<string> = new Set(['phone', 'mobilephone', 'hs_whatsapp_phone_number']);
