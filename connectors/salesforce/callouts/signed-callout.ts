import crypto from 'node:crypto';
import { z } from 'zod';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { parseStorableJson } from '../../../core/db/storable-text';
import type { SalesforceInstallation } from '../client/salesforce-call';
import { toId18 } from '../salesforce-ids';
import { CALLOUT_MAX_SKEW_MS, claimNonce } from './callout-nonces';
import { installationOfOrg } from './org-installation';

const SIGNATURE = /^sha256=([A-Za-z0-9+/]{43}=)$/;

/** A 15- or 18-character Salesforce id, as its 18-character form (one record, one key). */
export const id18 = (what: string) => z.string().transform((id, ctx) => toId18(id) ?? (ctx.addIssue({ code: 'custom', message: `must be a 15- or 18-character Salesforce ${what} id` }), z.NEVER));

/** What every callout body carries besides the call's own fields (ThreadlineClient.cls). */
const envelopeSchema = z.looseObject({
  org: id18('org'),
  /** UserInfo.getUserId(): a claim of who acts, trusted only because the org's key signed it. */
  user: id18('user'),
  ts: z.number().int().nonnegative(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _'),
});

export interface VerifiedCallout {
  installation: SalesforceInstallation;
  /** The org and user ids (18 characters). */
  org: string;
  user: string;
  nonce: string;
  /** The whole JSON body: the call's fields are the route's to parse. */
  body: Record<string, unknown>;
}

export type CalloutRefusal = { ok: false; code: 'UNAUTHORIZED' | 'STALE' | 'REPLAYED'; message: string; reason: string };
export type CalloutCheck = { ok: true; callout: VerifiedCallout } | CalloutRefusal;

export interface CalloutCheckDeps {
  db: Db;
  secrets: SecretBox;
  workspaceId: string;
  now?: () => number;
}

// One answer for an unknown org and a wrong signature: a caller learns nothing about which orgs are connected.
const NOT_SIGNED = 'This callout is not signed with the key of a Salesforce org connected to Threadline: reconnect the org from Threadline\'s Salesforce install page so the package gets the current key';

const UNKNOWN_ORG_KEY = crypto.randomBytes(32).toString('base64url');

const refuse = (code: CalloutRefusal['code'], message: string, reason: string): CalloutRefusal => ({ ok: false, code, message, reason });

/** `sha256=` + base64 HMAC-SHA256 of the raw body, keyed by the key string's UTF-8 bytes (the External Credential's `BLOB(SigningKey)`). */
function signedBy(calloutKey: string, rawBody: Buffer, header: string | undefined): boolean {
  const given = SIGNATURE.exec(header ?? '')?.[1];
  if (given === undefined) return false;
  const expected = crypto.createHmac('sha256', Buffer.from(calloutKey, 'utf8')).update(rawBody).digest();
  return crypto.timingSafeEqual(expected, Buffer.from(given, 'base64'));
}


/**
 * Whether a callout comes from the package in a connected org (reference §4.1 option 3): the org header names an
 * active installation of this workspace; the body is signed with that org's callout key (constant time, over the
 * raw bytes); the body's `org` is the header's; `ts` is within 5 minutes; the nonce is new for the org (stored).
 * In that order, so a forged request never stores a nonce. No Salesforce session id is read or accepted.
 */
export async function verifyCallout(
  deps: CalloutCheckDeps, request: { orgHeader: string | undefined; signatureHeader: string | undefined; rawBody: Buffer },
): Promise<CalloutCheck> {
  const org = toId18(request.orgHeader ?? '');
  const installation = org === undefined ? undefined : await installationOfOrg(deps, deps.workspaceId, org);
  // An unknown org is checked against a throwaway key too, so the answer takes as long as a wrong signature's.
  const signed = signedBy(installation?.credentials.calloutKey ?? UNKNOWN_ORG_KEY, request.rawBody, request.signatureHeader);
  if (org === undefined || installation === undefined) return refuse('UNAUTHORIZED', NOT_SIGNED, 'unknown org');
  if (!signed) return refuse('UNAUTHORIZED', NOT_SIGNED, 'signature mismatch');
  // Strict UTF-8: a body Apex did not write is refused, not read with U+FFFD in place of its bytes.
  const json = parseStorableJson(request.rawBody);
  if (!json.ok) return refuse('UNAUTHORIZED', `The callout body is not a Threadline callout (${json.message})`, 'malformed envelope');
  const envelope = envelopeSchema.safeParse(json.value);
  if (!envelope.success) {
    const problems = envelope.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return refuse('UNAUTHORIZED', `The callout body is not a Threadline callout (${problems})`, 'malformed envelope');
  }
  const { user, ts, nonce } = envelope.data;
  if (envelope.data.org !== org) return refuse('UNAUTHORIZED', 'The callout body names another org than its X-Threadline-Org header', 'org mismatch');
  const now = (deps.now ?? Date.now)();
  if (Math.abs(now - ts) > CALLOUT_MAX_SKEW_MS) {
    return refuse('STALE', `The callout's timestamp is ${Math.round((now - ts) / 1000)} s from Threadline's clock (at most 300 s are accepted): check the Salesforce org's time, then try again`, 'stale');
  }
  if (!(await claimNonce(deps.db, installation.id, nonce))) return refuse('REPLAYED', 'This callout was already received once (same nonce): a new request needs a new nonce', 'replayed');
  return { ok: true, callout: { installation, org, user, nonce, body: envelope.data } };
}
