import { z } from 'zod';
import type { FakeNumber, LateFailureFixture } from './fake-state';
import { readFixture } from './fixtures';

const statusSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  timestamp: z.string(),
  recipient_id: z.string(),
  pricing: z.looseObject({}).optional(),
  biz_opaque_callback_data: z.string().optional(),
});

const statusWebhookSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(
        z.object({
          field: z.literal('messages'),
          value: z.looseObject({
            messaging_product: z.literal('whatsapp'),
            metadata: z.object({ display_phone_number: z.string(), phone_number_id: z.string() }),
            statuses: z.array(statusSchema).min(1),
          }),
        }),
      ),
    }),
  ),
});
export type StatusWebhook = z.infer<typeof statusWebhookSchema>;

export interface StatusParams {
  number: FakeNumber;
  wamid: string;
  recipientId: string;
  /** Milliseconds; sent as a string of Unix seconds, as Meta does. */
  at: number;
  /** Replaces the fixture's pricing; null drops it. */
  pricing?: Record<string, unknown> | null;
  bizOpaqueCallbackData?: string;
}

/** Pricing of a template send under PMP, outside a free window (§3). Non-template sends keep the fixture's free pricing. */
export const templatePricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };

/** A status webhook built on a fixture's shape, pointed at this number, message and recipient. */
export function statusWebhook(fixture: 'status-sent' | 'status-delivered' | 'status-read' | LateFailureFixture, params: StatusParams): StatusWebhook {
  const template = statusWebhookSchema.parse(readFixture(fixture));
  const entry = template.entry[0];
  const change = entry?.changes[0];
  const status = change?.value.statuses[0];
  if (!entry || !change || !status) throw new Error(`Fixture ${fixture} has no status`);
  const { pricing: fixturePricing, ...rest } = status;
  const pricing = params.pricing === undefined ? fixturePricing : (params.pricing ?? undefined);
  const nextStatus = {
    ...rest,
    id: params.wamid,
    timestamp: String(Math.floor(params.at / 1000)),
    recipient_id: params.recipientId,
    ...(pricing === undefined ? {} : { pricing }),
    ...(params.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: params.bizOpaqueCallbackData }),
  };
  return {
    object: template.object,
    entry: [
      {
        id: params.number.wabaId,
        changes: [
          {
            field: change.field,
            value: {
              ...change.value,
              metadata: { display_phone_number: params.number.displayPhoneNumber, phone_number_id: params.number.phoneNumberId },
              statuses: [nextStatus],
            },
          },
        ],
      },
    ],
  };
}
