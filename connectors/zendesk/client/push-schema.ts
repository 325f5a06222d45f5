import { z } from 'zod';

/**
 * An external resource as we send it (reference §1.4). Checked before sending, so one bad message is
 * refused on its own instead of failing its whole batch.
 */
const externalId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'must be ASCII')
  .refine((v) => v.trim() === v, 'must not have leading or trailing whitespace');

const field = z.object({ id: z.union([z.string(), z.number()]), value: z.unknown() });

export const externalResourceSchema = z
  .object({
    external_id: externalId,
    message: z.string().min(1).max(65_535),
    html_message: z.string().max(65_535).optional(),
    internal_note: z.boolean().optional(),
    parent_id: z.string().max(511).optional(),
    thread_id: z.string().max(255).optional(),
    created_at: z.iso.datetime({ offset: true }),
    author: z.object({
      external_id: externalId,
      name: z.string().max(255).optional(),
      image_url: z.string().max(255).optional(),
      locale: z.string().optional(),
      fields: z.array(field).optional(),
    }),
    display_info: z.array(z.object({ type: z.string(), data: z.unknown() })).max(16).optional(),
    allow_channelback: z.boolean().optional(),
    /** Applied only when the ticket is created. */
    fields: z.array(field).max(64).optional(),
    /** The docs' limit is 10 (the schema says 64); Zendesk downloads them, so they must be reachable. */
    file_urls: z.array(z.url({ protocol: /^https?$/ })).max(10).optional(),
  })
  .refine((r) => r.parent_id === undefined || r.thread_id === undefined, { message: 'parent_id and thread_id are exclusive', path: ['thread_id'] });

export type ExternalResourceInput = z.input<typeof externalResourceSchema>;
