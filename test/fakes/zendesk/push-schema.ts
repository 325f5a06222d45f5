import { z } from 'zod';

/**
 * The push body (§1.4, `any_channel_json_schemas` push_parameters.json + external_resource.json). Limits that
 * Zendesk's schema enforces reject the whole request; the docs' stricter limits (≤ 100 resources, ≤ 10
 * file_urls) are what the fake enforces, so a client that exceeds them fails here first.
 */
const externalId = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'must be ASCII')
  .refine((v) => v.trim() === v, 'must not have leading or trailing whitespace');

const author = z.object({
  external_id: externalId,
  name: z.string().max(255).optional(),
  image_url: z.string().max(511).optional(),
  locale: z.string().optional(),
  fields: z.array(z.object({ id: z.union([z.string(), z.number()]), value: z.unknown() })).optional(),
});

export const externalResourceSchema = z.object({
  external_id: externalId,
  message: z.string().min(1).max(65_535),
  html_message: z.string().max(65_535).optional(),
  internal_note: z.boolean().optional(),
  parent_id: z.string().max(511).optional(),
  thread_id: z.string().max(255).optional(),
  created_at: z.iso.datetime({ offset: true }),
  author,
  display_info: z.array(z.object({ type: z.string(), data: z.unknown() })).max(16).optional(),
  allow_channelback: z.boolean().optional(),
  fields: z.array(z.object({ id: z.union([z.string(), z.number()]), value: z.unknown() })).max(64).optional(),
  file_urls: z.array(z.url({ protocol: /^https?$/ })).max(10).optional(),
});

export type ExternalResource = z.infer<typeof externalResourceSchema>;

export function pushBodySchema(maxResources: number) {
  return z.object({
    instance_push_id: z.string().min(1).max(255),
    request_id: z.string().max(64).optional(),
    external_resources: z.array(externalResourceSchema).min(1).max(maxResources),
  });
}

export type PushResultCode = 'success' | 'already_imported' | 'could_not_locate_parent_external_resource' | 'processing_error' | 'halted';

export interface PushResult {
  external_resource_id: string;
  status: { code: PushResultCode; description?: string };
}
