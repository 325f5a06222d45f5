import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MY_DOMAIN_URL, DEFAULT_SANDBOX_LOGIN_URL, myDomainTemplate } from '../connectors/salesforce/oauth/login-hosts';
import type { SalesforceOAuthApp } from '../connectors/salesforce/oauth/oauth-app';

/** Per client IP per minute; each is a handful of clicks for a person, far below what guessing needs. */
export const DEFAULT_RATE_LIMITS: RateLimits = { signIn: 10, apiAuthFailures: 30, connectCode: 10, oauth: 30 };

/** Everything the server reads from the environment, validated once at start. */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  encryptionKey: Buffer;
  previousEncryptionKeys: Buffer[];
  adminToken: string;
  metaAppSecret: string;
  metaVerifyToken: string;
  /** The Meta app's id: Embedded Signup's code exchange, and which app a WABA's webhook subscription must name. */
  metaAppId?: string;
  /** Facebook Login for Business configuration of Embedded Signup; with metaAppId, the numbers page offers it. */
  embeddedSignupConfigId?: string;
  whatsappApiBase: string;
  whatsappApiVersion: string;
  /** Hosts a platform's file URL may point at although they are private (SSRF guard exceptions). */
  privateAttachmentHosts: string[];
  /** Names of the values that were generated for development rather than configured. */
  generated: string[];
  /** The Zendesk app's global OAuth client; unset when ZENDESK_CLIENT_ID/SECRET are not configured. */
  zendesk?: { clientId: string; clientSecret: string; apiBase: string | undefined };
  /** The Zendesk app (sidebar): its id, to fetch the public key that verifies ZAF JWTs, or the key itself. */
  zendeskApp?: { id?: string; publicKeyPem?: string };
  /** The HubSpot public app (OAuth client, request signatures); unset when HUBSPOT_CLIENT_ID/SECRET are not configured. */
  hubspot?: { clientId: string; clientSecret: string; appId: number | undefined; apiBase: string; authBase: string };
  /** The Salesforce External Client App (OAuth client) and login hosts; unset when SALESFORCE_CLIENT_ID/SECRET are not configured. */
  salesforce?: SalesforceOAuthApp;
  /** The SMS transport of the SMS fallback; unset when TWILIO_ACCOUNT_SID/AUTH_TOKEN are not configured (then no fallback). */
  twilio?: { apiBase: string; accountSid: string; authToken: string };
  /** Requests per client IP per minute on the public endpoints that invite guessing; loadConfig always sets them (unset: no limits, for in-process tests). */
  rateLimits?: RateLimits;
  /** Which proxies' X-Forwarded-For to believe (express `trust proxy`); unset: private and loopback addresses only. */
  trustProxy?: string | number;
}

export interface RateLimits {
  /** POST /admin/sign-in: guesses at the admin token. */
  signIn: number;
  /** Admin API answers 401: guesses at the admin token there. */
  apiAuthFailures: number;
  /** Connect-code redemption on the three install pages. */
  connectCode: number;
  /** OAuth starts and their callbacks (installs, console sign-ins). */
  oauth: number;
}

const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64 (openssl rand -base64 32)');

const perMinute = z.coerce.number({ error: 'must be a whole number of requests per minute, such as 10' })
  .int('must be a whole number of requests per minute, such as 10').min(1, 'must be at least 1 request per minute');

const portMessage = 'must be a TCP port number from 1 to 65535, such as 3000';

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number({ error: portMessage }).int(portMessage).min(1, portMessage).max(65535, portMessage).default(3000),
  PUBLIC_URL: z.url({ message: 'must be an absolute URL such as https://threadline.example.com' }).optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  THREADLINE_DATA_DIR: z.string().min(1).default('.threadline'),
  THREADLINE_ENCRYPTION_KEY: base64Key.optional(),
  // Keys being rotated out: still opens what they sealed, while new writes use the current key.
  THREADLINE_ENCRYPTION_KEYS_PREVIOUS: z.string().transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
    .pipe(z.array(base64Key)).optional(),
  THREADLINE_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  META_APP_SECRET: z.string().min(8, 'must be the App Secret from the Meta App Dashboard').optional(),
  META_VERIFY_TOKEN: z.string().min(8, 'must be at least 8 characters').optional(),
  META_APP_ID: z.string().regex(/^\d{5,20}$/, 'must be the numeric App ID shown at the top of the Meta App Dashboard').optional(),
  META_EMBEDDED_SIGNUP_CONFIG_ID: z.string().regex(/^\d{5,20}$/, 'must be the numeric configuration ID from Facebook Login for Business > Configurations').optional(),
  WHATSAPP_API_BASE: z.url().default('https://graph.facebook.com'),
  // Hosts that may serve files to send although they resolve to private addresses (e.g. an internal file store).
  THREADLINE_PRIVATE_ATTACHMENT_HOSTS: z.string().transform((v) => v.split(',').map((h) => h.trim()).filter(Boolean)).optional(),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'must look like v24.0').default('v24.0'),
  // Zendesk's global OAuth client ("Unique Identifier" and secret) and, for tests and proxies, the base
  // URL replacing https://{subdomain}.zendesk.com.
  ZENDESK_CLIENT_ID: z.string().min(1).max(128, 'must be the OAuth client\'s unique identifier (at most 128 characters)').optional(),
  ZENDESK_CLIENT_SECRET: z.string().min(16, 'must be the OAuth client\'s secret from Zendesk').optional(),
  ZENDESK_API_BASE: z.url({ message: 'must be an absolute URL such as http://127.0.0.1:4010/{subdomain}' }).optional(),
  // The Zendesk app's id (its public key is fetched from the account) or the key itself (PEM; "\n" escapes allowed).
  ZENDESK_APP_ID: z.string().regex(/^\d+$/, 'must be the numeric id of the Threadline app in Zendesk').optional(),
  ZENDESK_APP_PUBLIC_KEY: z.string().transform((v) => v.replace(/\\n/g, '\n'))
    .pipe(z.string().startsWith('-----BEGIN PUBLIC KEY-----', 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)')).optional(),
  // The HubSpot public app (developer project → Auth): its client id and secret (the secret also signs what
  // HubSpot sends us), its app id, and for tests and proxies the API and authorize-page bases.
  HUBSPOT_CLIENT_ID: z.string().min(1).max(128, 'must be the app\'s client id from HubSpot (at most 128 characters)').optional(),
  HUBSPOT_CLIENT_SECRET: z.string().min(16, 'must be the app\'s client secret from HubSpot').optional(),
  HUBSPOT_APP_ID: z.string().regex(/^\d+$/, 'must be the numeric id of the Threadline app in HubSpot').optional(),
  HUBSPOT_API_BASE: z.url({ message: 'must be an absolute URL such as https://api.hubapi.com' }).default('https://api.hubapi.com'),
  HUBSPOT_AUTH_BASE: z.url({ message: 'must be an absolute URL such as https://app.hubspot.com' }).default('https://app.hubspot.com'),
  // The External Client App shipped in the Salesforce package (its consumer key and secret stay in our Dev Hub),
  // and the login host of production orgs (sandbox and My Domain hosts are chosen at install).
  SALESFORCE_CLIENT_ID: z.string().min(1).max(256, 'must be the External Client App\'s consumer key').optional(),
  SALESFORCE_CLIENT_SECRET: z.string().min(16, 'must be the External Client App\'s consumer secret').optional(),
  SALESFORCE_LOGIN_URL: z.url({ message: 'must be an absolute URL such as https://login.salesforce.com' }).default('https://login.salesforce.com'),
  SALESFORCE_SANDBOX_LOGIN_URL: z.url({ message: `must be an absolute URL such as ${DEFAULT_SANDBOX_LOGIN_URL}` }).default(DEFAULT_SANDBOX_LOGIN_URL),
  SALESFORCE_MY_DOMAIN_URL: myDomainTemplate.default(DEFAULT_MY_DOMAIN_URL),
  // Twilio (or a Twilio-compatible Messages API) for the SMS fallback; the auth token also signs its status callbacks.
  TWILIO_API_BASE: z.url({ message: 'must be an absolute URL such as https://api.twilio.com' }).default('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'must be the Account SID from the Twilio console (AC followed by 32 hex digits)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(16, 'must be the Auth Token from the Twilio console (32 characters)').optional(),
  THREADLINE_RATE_LIMIT_SIGN_IN: perMinute.optional(),
  THREADLINE_RATE_LIMIT_API_AUTH_FAILURES: perMinute.optional(),
  THREADLINE_RATE_LIMIT_CONNECT_CODE: perMinute.optional(),
  THREADLINE_RATE_LIMIT_OAUTH: perMinute.optional(),
  // A hop count (1: one proxy in front) or addresses/subnets, as express's `trust proxy` takes them.
  THREADLINE_TRUST_PROXY: z.string().regex(/^(\d+|[\w.:/, -]+)$/, 'must be a number of proxy hops (such as 1) or a comma-separated list of proxy addresses or subnets')
    .transform((v) => (/^\d+$/.test(v) ? Number(v) : v)).optional(),
});

/** Values that development may generate but production must be given. */
const secretNames = {
  THREADLINE_ENCRYPTION_KEY: () => crypto.randomBytes(32).toString('base64'),
  THREADLINE_ADMIN_TOKEN: () => crypto.randomBytes(24).toString('base64url'),
  META_APP_SECRET: () => crypto.randomBytes(16).toString('hex'),
  META_VERIFY_TOKEN: () => crypto.randomBytes(12).toString('base64url'),
} as const;
type SecretName = keyof typeof secretNames;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Threadline cannot start; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates configuration. Every problem is reported at once. Outside production, missing
 * secrets are generated once into `<dataDir>/dev-secrets.json` and reused on the next start.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `NAME=` (as in .env.example) means "not set": generated in development, reported as missing in production.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(given);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if ((parsed.success ? parsed.data.NODE_ENV : given.NODE_ENV) === 'production') {
    for (const name of Object.keys(secretNames) as SecretName[]) if (!given[name]) problems.push(`${name}: required in production`);
    if (!given.PUBLIC_URL) problems.push('PUBLIC_URL: required in production (the https URL Meta and the platforms call)');
  }
  if (Boolean(given.ZENDESK_CLIENT_ID) !== Boolean(given.ZENDESK_CLIENT_SECRET)) {
    problems.push('ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET: set both (the Zendesk global OAuth client) or neither');
  }
  if (Boolean(given.HUBSPOT_CLIENT_ID) !== Boolean(given.HUBSPOT_CLIENT_SECRET)) {
    problems.push('HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET: set both (the HubSpot public app) or neither');
  }
  if (Boolean(given.SALESFORCE_CLIENT_ID) !== Boolean(given.SALESFORCE_CLIENT_SECRET)) {
    problems.push('SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET: set both (the External Client App) or neither');
  }
  if (given.META_EMBEDDED_SIGNUP_CONFIG_ID && !given.META_APP_ID) {
    problems.push('META_EMBEDDED_SIGNUP_CONFIG_ID: needs META_APP_ID too (Embedded Signup runs as that app)');
  }
  if (Boolean(given.TWILIO_ACCOUNT_SID) !== Boolean(given.TWILIO_AUTH_TOKEN)) {
    problems.push('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN: set both (the SMS fallback\'s Twilio account) or neither');
  }
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const dataDir = path.resolve(e.THREADLINE_DATA_DIR);
  const missing = (Object.keys(secretNames) as SecretName[]).filter((name) => !e[name]);
  const generatedValues = missing.length ? loadOrGenerateDevSecrets(dataDir, missing) : {};
  const value = (name: SecretName): string => e[name] ?? generatedValues[name] ?? '';
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir,
    encryptionKey: Buffer.from(value('THREADLINE_ENCRYPTION_KEY'), 'base64'),
    previousEncryptionKeys: (e.THREADLINE_ENCRYPTION_KEYS_PREVIOUS ?? []).map((k) => Buffer.from(k, 'base64')),
    adminToken: value('THREADLINE_ADMIN_TOKEN'),
    metaAppSecret: value('META_APP_SECRET'),
    metaVerifyToken: value('META_VERIFY_TOKEN'),
    ...(e.META_APP_ID === undefined ? {} : { metaAppId: e.META_APP_ID }),
    ...(e.META_EMBEDDED_SIGNUP_CONFIG_ID === undefined ? {} : { embeddedSignupConfigId: e.META_EMBEDDED_SIGNUP_CONFIG_ID }),
    whatsappApiBase: e.WHATSAPP_API_BASE.replace(/\/$/, ''),
    whatsappApiVersion: e.WHATSAPP_API_VERSION,
    privateAttachmentHosts: e.THREADLINE_PRIVATE_ATTACHMENT_HOSTS ?? [],
    generated: missing,
    ...(e.ZENDESK_CLIENT_ID && e.ZENDESK_CLIENT_SECRET
      ? { zendesk: { clientId: e.ZENDESK_CLIENT_ID, clientSecret: e.ZENDESK_CLIENT_SECRET, apiBase: e.ZENDESK_API_BASE } }
      : {}),
    ...(e.HUBSPOT_CLIENT_ID && e.HUBSPOT_CLIENT_SECRET
      ? {
        hubspot: {
          clientId: e.HUBSPOT_CLIENT_ID, clientSecret: e.HUBSPOT_CLIENT_SECRET,
          appId: e.HUBSPOT_APP_ID === undefined ? undefined : Number(e.HUBSPOT_APP_ID),
          apiBase: e.HUBSPOT_API_BASE.replace(/\/$/, ''), authBase: e.HUBSPOT_AUTH_BASE.replace(/\/$/, ''),
        },
      }
      : {}),
    ...(e.SALESFORCE_CLIENT_ID && e.SALESFORCE_CLIENT_SECRET
      ? {
        salesforce: {
          clientId: e.SALESFORCE_CLIENT_ID,
          clientSecret: e.SALESFORCE_CLIENT_SECRET,
          loginUrl: e.SALESFORCE_LOGIN_URL.replace(/\/$/, ''),
          sandboxLoginUrl: e.SALESFORCE_SANDBOX_LOGIN_URL.replace(/\/$/, ''),
          myDomainUrl: e.SALESFORCE_MY_DOMAIN_URL.replace(/\/$/, ''),
        },
      }
      : {}),
    ...(e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN
      ? { twilio: { apiBase: e.TWILIO_API_BASE.replace(/\/$/, ''), accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN } }
      : {}),
    ...(e.THREADLINE_TRUST_PROXY === undefined ? {} : { trustProxy: e.THREADLINE_TRUST_PROXY }),
    rateLimits: {
      signIn: e.THREADLINE_RATE_LIMIT_SIGN_IN ?? DEFAULT_RATE_LIMITS.signIn,
      apiAuthFailures: e.THREADLINE_RATE_LIMIT_API_AUTH_FAILURES ?? DEFAULT_RATE_LIMITS.apiAuthFailures,
      connectCode: e.THREADLINE_RATE_LIMIT_CONNECT_CODE ?? DEFAULT_RATE_LIMITS.connectCode,
      oauth: e.THREADLINE_RATE_LIMIT_OAUTH ?? DEFAULT_RATE_LIMITS.oauth,
    },
    zendeskApp: {
      ...(e.ZENDESK_APP_ID === undefined ? {} : { id: e.ZENDESK_APP_ID }),
      ...(e.ZENDESK_APP_PUBLIC_KEY === undefined ? {} : { publicKeyPem: e.ZENDESK_APP_PUBLIC_KEY }),
    },
  };
}

function loadOrGenerateDevSecrets(dataDir: string, names: SecretName[]): Partial<Record<SecretName, string>> {
  const file = path.join(dataDir, 'dev-secrets.json');
  fs.mkdirSync(dataDir, { recursive: true });
  const stored: Partial<Record<SecretName, string>> = fs.existsSync(file)
    ? z.record(z.string(), z.string()).parse(JSON.parse(fs.readFileSync(file, 'utf8')))
    : {};
  let changed = false;
  for (const name of names) {
    if (!stored[name]) {
      stored[name] = secretNames[name]();
      changed = true;
    }
  }
  if (changed) fs.writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}
