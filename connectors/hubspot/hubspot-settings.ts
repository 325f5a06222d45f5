import { z } from 'zod';

/**
 * One HubSpot portal connected to a workspace (reference §1): installed by the OAuth flow, keyed by the
 * portal (`hub_id`, which webhooks call `portalId` and cards `context.portal.id`).
 */
export const hubspotConfigSchema = z.object({
  portalId: z.number().int().positive(),
  /** The portal's domain (`app.hubspot.com` or `app-eu1.hubspot.com` …), for links to records. */
  hubDomain: z.string().min(1).optional(),
  /** Scopes the portal granted at install: optional ones (conversations, on Pro tiers) may be missing. */
  grantedScopes: z.array(z.string().min(1)).default([]),
  /** The WhatsApp number this portal serves; absent: every number of the workspace. */
  phoneNumberId: z.string().regex(/^\d+$/).optional(),
  /** Create a contact for a WhatsApp user no contact matches (else the message waits unlinked). */
  createContacts: z.boolean().default(true),
  /** Also associate each logged message with the contact's open deals. */
  associateOpenDeals: z.boolean().default(true),
  /**
   * A conversation routed to a team with a HubSpot owner: `if_unowned` gives the contact that owner only when it has
   * none (a rep's own assignment stands); `always` makes routing the owner every time.
   */
  routingOwner: z.enum(['if_unowned', 'always']).default('if_unowned'),
});
export type HubSpotConfig = z.infer<typeof hubspotConfigSchema>;

/** The OAuth pair (§1.2): access tokens live ~30 minutes; refresh ahead of expiry, never on a 401 alone. */
export const hubspotCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  accessTokenExpiresAt: z.iso.datetime({ offset: true }),
  /**
   * When HubSpot refused the refresh token (the app was uninstalled there, or the grant revoked, §1.5): from
   * then on no caller asks HubSpot again until an admin re-installs, which replaces the credentials.
   */
  refreshRefusedAt: z.iso.datetime({ offset: true }).optional(),
});
export type HubSpotCredentials = z.infer<typeof hubspotCredentialsSchema>;

/** Where HubSpot is: `HUBSPOT_API_BASE` (tests, proxies) else production; the authorize page on `HUBSPOT_AUTH_BASE`. */
export function hubspotApiBase(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HUBSPOT_API_BASE || 'https://api.hubapi.com').replace(/\/$/, '');
}

export function hubspotAuthBase(env: NodeJS.ProcessEnv = process.env): string {
  return (env.HUBSPOT_AUTH_BASE || 'https://app.hubspot.com').replace(/\/$/, '');
}
