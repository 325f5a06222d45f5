import { z } from 'zod';

/**
 * The envelope Meta posts to the webhook. Items inside are kept loose here: the inbox stores
 * them as received and the engine parses each type, so one odd item never rejects a batch.
 */
const change = z.object({ field: z.string(), value: z.record(z.string(), z.unknown()) });
const entry = z.object({ id: z.string(), time: z.number().optional(), changes: z.array(change) });
export const webhookEnvelope = z.object({ object: z.literal('whatsapp_business_account'), entry: z.array(entry) });
export type WebhookEnvelope = z.infer<typeof webhookEnvelope>;

export const webhookContact = z.looseObject({
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional(), country_code: z.string().optional() }).optional(),
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
});
export type WebhookContact = z.infer<typeof webhookContact>;

export const webhookMessage = z.looseObject({
  id: z.string().min(1),
  from: z.string().default(''),
  from_user_id: z.string().optional(),
  timestamp: z.string().regex(/^\d+$/),
  type: z.string().min(1),
});
export type WebhookMessage = z.infer<typeof webhookMessage>;

export const webhookStatus = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: z.string().regex(/^\d+$/),
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
});
export type WebhookStatus = z.infer<typeof webhookStatus>;

export const webhookUserPreference = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  category: z.string(),
  value: z.string(),
  timestamp: z.union([z.number(), z.string()]),
});
export type WebhookUserPreference = z.infer<typeof webhookUserPreference>;

export const messagesValue = z.looseObject({
  metadata: z.object({ display_phone_number: z.string(), phone_number_id: z.string().min(1) }),
  contacts: z.array(webhookContact).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
  user_preferences: z.array(z.unknown()).optional(),
});
