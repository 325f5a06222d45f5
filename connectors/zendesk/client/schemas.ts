import { z } from 'zod';

/** The parts of Zendesk's records Threadline reads; other fields pass through unvalidated. */
export const userSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  email: z.string().nullable().optional(),
  external_id: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  role: z.string().optional(),
});
export type ZendeskUser = z.infer<typeof userSchema>;

export const identitySchema = z.looseObject({
  id: z.number().int(),
  user_id: z.number().int(),
  type: z.string(),
  value: z.string(),
  primary: z.boolean().optional(),
  verified: z.boolean().optional(),
});
export type ZendeskIdentity = z.infer<typeof identitySchema>;

export const ticketStatusSchema = z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;
export const ticketPrioritySchema = z.enum(['urgent', 'high', 'normal', 'low']);
export type TicketPriority = z.infer<typeof ticketPrioritySchema>;

export const ticketSchema = z.looseObject({
  id: z.number().int(),
  subject: z.string().nullable().optional(),
  status: ticketStatusSchema,
  priority: ticketPrioritySchema.nullable().optional(),
  tags: z.array(z.string()),
  group_id: z.number().int().nullable().optional(),
  requester_id: z.number().int(),
  updated_at: z.string(),
});
export type ZendeskTicket = z.infer<typeof ticketSchema>;
