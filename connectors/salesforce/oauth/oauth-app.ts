import { z } from 'zod';
import { salesforceLoginUrl } from '../salesforce-settings';
import { DEFAULT_MY_DOMAIN_URL, DEFAULT_SANDBOX_LOGIN_URL, myDomainTemplate, type LoginHosts } from './login-hosts';

/**
 * Threadline's External Client App (reference §1.1): one consumer key and secret for every subscriber org,
 * shipped in the managed package; and the login hosts the install offers (§1.3).
 */
export interface SalesforceOAuthApp extends LoginHosts {
  clientId: string;
  clientSecret: string;
}

const appEnv = z.object({
  SALESFORCE_CLIENT_ID: z.string().min(1),
  SALESFORCE_CLIENT_SECRET: z.string().min(1),
  SALESFORCE_SANDBOX_LOGIN_URL: z.url().default(DEFAULT_SANDBOX_LOGIN_URL),
  SALESFORCE_MY_DOMAIN_URL: myDomainTemplate.default(DEFAULT_MY_DOMAIN_URL),
});

/** The app as configured in the environment, or undefined when SALESFORCE_CLIENT_ID/SECRET are not set. */
export function salesforceOAuthAppFromEnv(env: NodeJS.ProcessEnv = process.env): SalesforceOAuthApp | undefined {
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = appEnv.safeParse(given);
  if (!parsed.success) return undefined;
  return {
    clientId: parsed.data.SALESFORCE_CLIENT_ID,
    clientSecret: parsed.data.SALESFORCE_CLIENT_SECRET,
    loginUrl: salesforceLoginUrl(env),
    sandboxLoginUrl: parsed.data.SALESFORCE_SANDBOX_LOGIN_URL.replace(/\/$/, ''),
    myDomainUrl: parsed.data.SALESFORCE_MY_DOMAIN_URL.replace(/\/$/, ''),
  };
}
