import { z } from 'zod';
import { hubspotApiBase, hubspotAuthBase } from '../hubspot-settings';

/**
 * Threadline's public app in HubSpot (reference §1, §2.2): the OAuth client every portal installs, and
 * where HubSpot is. The client secret also signs what HubSpot sends us (§6.3).
 */
export interface HubSpotOAuthApp {
  clientId: string;
  clientSecret: string;
  /** The app's id, as HubSpot puts it in card requests (`appId`) and webhooks; optional until the app exists. */
  appId: number | undefined;
  /** `HUBSPOT_API_BASE`: the token endpoints and every API call. */
  apiBase: string;
  /** `HUBSPOT_AUTH_BASE`: the authorize page the admin's browser goes to. */
  authBase: string;
}

const appEnv = z.object({
  HUBSPOT_CLIENT_ID: z.string().min(1),
  HUBSPOT_CLIENT_SECRET: z.string().min(1),
  HUBSPOT_APP_ID: z.string().regex(/^\d+$/).optional(),
});

/** The app as configured in the environment, or undefined when HUBSPOT_CLIENT_ID/SECRET are not set. */
export function hubspotOAuthAppFromEnv(env: NodeJS.ProcessEnv = process.env): HubSpotOAuthApp | undefined {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = appEnv.safeParse(given);
  if (!parsed.success) return undefined;
  return {
    clientId: parsed.data.HUBSPOT_CLIENT_ID,
    clientSecret: parsed.data.HUBSPOT_CLIENT_SECRET,
    appId: parsed.data.HUBSPOT_APP_ID === undefined ? undefined : Number(parsed.data.HUBSPOT_APP_ID),
    apiBase: hubspotApiBase(env),
    authBase: hubspotAuthBase(env),
  };
}
