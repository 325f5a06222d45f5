import { z } from 'zod';

/**
 * Where and as whom the client talks to Zendesk. `apiBase` is ZENDESK_API_BASE: when set it replaces
 * `https://{subdomain}.zendesk.com` for every account (tests, proxies); a `{subdomain}` in it is filled
 * in, so one base can serve many accounts (the Zendesk fake serves each under `/{subdomain}`).
 */
export const zendeskClientConfigSchema = z.object({
  apiBase: z.url().optional(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  timeoutMs: z.number().int().positive().default(10_000),
});

export type ZendeskClientConfig = z.infer<typeof zendeskClientConfigSchema>;

export function zendeskClientConfigFromEnv(env: NodeJS.ProcessEnv): ZendeskClientConfig {
  return zendeskClientConfigSchema.parse({
    apiBase: env.ZENDESK_API_BASE === '' ? undefined : env.ZENDESK_API_BASE,
    clientId: env.ZENDESK_CLIENT_ID,
    clientSecret: env.ZENDESK_CLIENT_SECRET,
  });
}

// A DNS label: the subdomain ends up in a host name, so nothing else may pass (no `evil.com/`, no `@`).
const subdomainPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** `https://{subdomain}.zendesk.com`, or the configured base; no trailing slash. */
export function accountBaseUrl(apiBase: string | undefined, subdomain: string): string {
  if (!subdomainPattern.test(subdomain)) throw new Error(`Not a Zendesk subdomain: ${JSON.stringify(subdomain)}`);
  if (apiBase === undefined) return `https://${subdomain}.zendesk.com`;
  return apiBase.replaceAll('{subdomain}', subdomain).replace(/\/+$/, '');
}
