import { z } from 'zod';
import { salesforceLoginUrl } from '../salesforce-settings';

/**
 * Threadline's External Client App (reference §1.1): one consumer key and secret for every subscriber org,
 * shipped in the managed package; and the login host production orgs use.
 */
export interface SalesforceOAuthApp {
  clientId: string;
  clientSecret: string;
  /** `SALESFORCE_LOGIN_URL`: production logins; sandbox and My Domain hosts are chosen at install. */
  loginUrl: string;
}

const appEnv = z.object({ SALESFORCE_CLIENT_ID: z.string().min(1), SALESFORCE_CLIENT_SECRET: z.string().min(1) });

/** The app as configured in the environment, or undefined when SALESFORCE_CLIENT_ID/SECRET are not set. */
export function salesforceOAuthAppFromEnv(env: NodeJS.ProcessEnv = process.env): SalesforceOAuthApp | undefined {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = appEnv.safeParse(given);
  if (!parsed.success) return undefined;
  return { clientId: parsed.data.SALESFORCE_CLIENT_ID, clientSecret: parsed.data.SALESFORCE_CLIENT_SECRET, loginUrl: salesforceLoginUrl(env) };
}
