import { z } from 'zod';
import type { DeliveryLimits } from '../../core/connectors/contract';
import { maxResourcesPerPush } from './client';

/**
 * Requests per minute per plan (reference §4.7, a secondary source). The Push API counts against the
 * account-wide limit, which agents' own API traffic shares, so we use 60% of it (the reference's choice).
 */
const planRequestsPerMinute = { team: 200, growth: 400, professional: 400, enterprise: 700, enterprise_plus: 2_500 } as const;
const shareOfPlanLimit = 0.6;

/** One Channel framework integration account (what the admin UI receives, reference §1.3), plus our options. */
export const zendeskConfigSchema = z.object({
  subdomain: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be a Zendesk subdomain'),
  /** Identifies the integration account; every push names it (§1.4). */
  instancePushId: z.string().min(1).max(255),
  /** The integration account's name in Zendesk, shown nowhere by us; kept for the admin. */
  integrationName: z.string().max(255).optional(),
  /** The WhatsApp number this account serves: a channelback naming a customer by phone sends from it. */
  phoneNumberId: z.string().regex(/^\d+$/).optional(),
  plan: z.enum(['team', 'growth', 'professional', 'enterprise', 'enterprise_plus']).default('professional'),
  /** Ticket fields applied when a conversation's ticket is created (Zendesk ignores them on later comments). */
  tags: z.array(z.string().min(1).max(80)).max(20).default([]),
  groupId: z.number().int().positive().optional(),
  /**
   * A fallback only: media reach the ticket as attachments, through the signed Threadline URL core adds
   * to each media event (pushed as `file_urls`, which Zendesk downloads itself, §1.4). When an event has
   * none (no media signer configured), the comment gets a link line to this page instead, `{messageId}`
   * filled in.
   */
  mediaLinkTemplate: z.url({ protocol: /^https?$/ }).refine((v) => v.includes('{messageId}'), 'must contain {messageId}').optional(),
  /**
   * The approved template a WhatsApp customer gets when their ticket is solved (`parameters` positional, literal).
   * Takes effect once provisioned: POST /api/v1/zendesk/installations/:id/provision-csat (csat/provision-csat.ts);
   * null turns it off (a settings patch cannot remove a key).
   */
  csat: z.object({
    template: z.string().min(1).max(512),
    language: z.string().min(2).max(15),
    parameters: z.array(z.string().max(1_024)).max(20).default([]),
  }).nullable().optional(),
});
export type ZendeskConfig = z.infer<typeof zendeskConfigSchema>;

/**
 * Two credentials (reference §0.3): the push token the Channel framework hands the admin UI, and the
 * global-OAuth REST token pair (expiring, rotating; obtained by the install flow, refreshed by rest-token.ts). `metadataKey` signs the
 * instance metadata Zendesk sends back on channelback: metadata carries a signature, never a secret.
 */
export const zendeskCredentialsSchema = z.object({
  pushToken: z.string().min(1),
  metadataKey: z.string().min(32, 'must be at least 32 random characters'),
  accessToken: z.string().min(1).optional(),
  refreshToken: z.string().min(1).optional(),
  accessTokenExpiresAt: z.iso.datetime({ offset: true }).optional(),
  /** The "ticket solved" webhook and trigger provisioned for CSAT, and the secret Zendesk signs its calls with (§4.6). */
  csatWebhook: z.object({ webhookId: z.string().min(1), triggerId: z.string().min(1), signingSecret: z.string().min(1) }).optional(),
});
export type ZendeskCredentials = z.infer<typeof zendeskCredentialsSchema>;

export function zendeskLimits(config: ZendeskConfig): DeliveryLimits {
  return { batchSize: maxResourcesPerPush, requests: Math.floor(planRequestsPerMinute[config.plan] * shareOfPlanLimit), windowMs: 60_000 };
}

/** ZENDESK_API_BASE, read when used: it replaces `https://{subdomain}.zendesk.com` (tests, proxies). */
export function zendeskApiBase(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.ZENDESK_API_BASE;
  return base === undefined || base === '' ? undefined : base;
}
