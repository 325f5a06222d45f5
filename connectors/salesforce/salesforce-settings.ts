import { z } from 'zod';

/** An 18-character Salesforce id (15-character ids are normalised before they are stored). */
export const salesforceId = z.string().regex(/^[a-zA-Z0-9]{18}$/, 'must be an 18-character Salesforce id');

/**
 * One Salesforce org connected to a workspace (reference §1.4): installed by the OAuth flow at
 * /connectors/salesforce/install, keyed by the org id from the identity URL.
 */
export const salesforceConfigSchema = z.object({
  orgId: salesforceId,
  /** The user who connected the org (the identity URL's last segment): owner of what Threadline creates by default. */
  userId: salesforceId,
  /** The package namespace the org sees our objects under (`threadline__WhatsApp_Message__c`); '' in an unpackaged dev org. */
  namespace: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,14}$|^$/).default('threadline'),
  /** The WhatsApp number this org serves; absent: every number of the workspace. */
  phoneNumberId: z.string().regex(/^\d+$/).optional(),
  /** Create a Lead for a WhatsApp user no Contact or Lead matches (else the thread waits unlinked, §3.1 step 5). */
  createLeads: z.boolean().default(true),
  /** The Company a new Lead gets (required on Lead): Salesforce's own web-to-lead uses "[not provided]". */
  leadCompany: z.string().min(1).max(255).default('[not provided]'),
  /** Support conversations open (or reopen) a Case (§3.4). */
  cases: z.object({
    enabled: z.boolean().default(false),
    /** "WhatsApp" must first be added to the Origin picklist by an admin (§3.4). */
    origin: z.string().min(1).max(40).default('WhatsApp'),
    recordTypeId: salesforceId.optional(),
    /** A queue (or user) the new Case is assigned to; absent: the connecting user. */
    ownerId: salesforceId.optional(),
    /** A closed Case is reopened when the customer writes within this many days of closing; later, a new Case. */
    reopenWithinDays: z.number().int().min(0).max(365).default(7),
  }).prefault({}),
  /** Also log a summary Task per conversation and day, for the standard Activity Timeline (§3.2). */
  summaryTasks: z.boolean().default(false),
});
export type SalesforceConfig = z.infer<typeof salesforceConfigSchema>;

/**
 * The org's OAuth pair (§1.4, §1.5) and the key its Apex callouts are signed with (§4.1). Access tokens carry
 * no expiry (a 401 is the signal to refresh); refresh tokens rotate on every refresh and die after 30 idle days.
 */
export const salesforceCredentialsSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** The base URL of every REST call; it can change on refresh (orgs move). */
  instanceUrl: z.url(),
  /** The login host the admin chose (production, sandbox or My Domain): refreshes and revokes go there (§1.6). */
  loginUrl: z.url(),
  /** When the refresh token was last used: the keep-alive refreshes orgs idle for long (§1.2 item 3). */
  refreshedAt: z.iso.datetime({ offset: true }),
  /** Set when Salesforce refused the refresh token: no caller asks again until an admin reconnects. */
  refreshRefusedAt: z.iso.datetime({ offset: true }).optional(),
  /** 32 random bytes (base64url) shared with the org's External Credential: signs the package's callouts. */
  calloutKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type SalesforceCredentials = z.infer<typeof salesforceCredentialsSchema>;

/** Where production orgs log in unless the admin picks sandbox or My Domain: `SALESFORCE_LOGIN_URL`. */
export function salesforceLoginUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.SALESFORCE_LOGIN_URL || 'https://login.salesforce.com').replace(/\/$/, '');
}
