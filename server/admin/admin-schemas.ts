import { z } from 'zod';

/** Request shapes of the admin API: validated at the edge and published in the OpenAPI document. */
export const registerNumberBody = z.object({
  phone_number_id: z.string().regex(/^\d{5,20}$/, 'must be the numeric Phone number ID from WhatsApp Manager'),
  waba_id: z.string().regex(/^\d{5,20}$/, 'must be the numeric WhatsApp Business Account ID'),
  access_token: z.string().min(20, 'must be a System User access token'),
  read_receipts: z.enum(['on_receipt', 'on_assign', 'never']).optional(),
}).strict();

export const listConversationsQuery = z.object({
  status: z.enum(['open', 'pending', 'closed']).optional(),
  phone_number_id: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().optional(),
});

export const listDeadLettersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  before_id: z.coerce.number().int().positive().optional(),
});

export const idParam = z.object({ id: z.string().uuid('must be a conversation id (uuid)') });
export const deadLetterParam = z.object({ id: z.coerce.number().int().positive() });
