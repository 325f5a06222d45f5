import { z } from 'zod';
import type { WebhookMessage } from '../whatsapp/webhook-payload';

/** Fields any inbound type may carry next to its body; a malformed one is dropped, not fatal. */
const extras = z.object({
  context: z.looseObject({
    id: z.string().optional(),
    forwarded: z.boolean().optional(),
    frequently_forwarded: z.boolean().optional(),
    referred_product: z.record(z.string(), z.unknown()).optional(),
  }).optional().catch(undefined),
  referral: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export interface MessageContext {
  /** The wamid this message replies to (a quoted reply, a button tap on our message). */
  contextWamid: string | null;
  forwarded: boolean;
  frequentlyForwarded: boolean;
  /** Click-to-WhatsApp ad the conversation came from. */
  referral: Record<string, unknown> | null;
  /** Catalog item the customer asked about with "Message business". */
  referredProduct: Record<string, unknown> | null;
}

export function messageContextOf(message: WebhookMessage): MessageContext {
  const { context, referral } = extras.parse(message);
  return {
    contextWamid: context?.id ?? null,
    forwarded: context?.forwarded === true,
    frequentlyForwarded: context?.frequently_forwarded === true,
    referral: referral ?? null,
    referredProduct: context?.referred_product ?? null,
  };
}
