import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * The ZAF JWT Zendesk posts (form field `token`) when it loads a signed app page (reference §2.4):
 * RS256 under the app's key pair, `iss` = `<subdomain>.zendesk.com`, `aud` = the app installation's URL
 * on that account. Checked here without a JWT library: the algorithm is pinned to RS256, so a token
 * claiming `none` or HS256 (signed with the public key as a secret) never verifies.
 */
const header = z.object({ alg: z.literal('RS256') });
const claims = z.object({
  iss: z.string(),
  aud: z.string(),
  exp: z.number(),
  nbf: z.number().optional(),
  iat: z.number().optional(),
  /** The agent's Zendesk user id. */
  sub: z.union([z.string().min(1), z.number()]).transform(String),
});

/** Clocks differ a little between Zendesk and us. */
const LEEWAY_SECONDS = 30;
const issuer = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.zendesk\.com$/i;

export interface ZafIdentity {
  subdomain: string;
  /** The app's installation on the account, from `aud`. */
  appInstallationId: string;
  agentId: string;
}

export type ZafJwtResult = { ok: true; identity: ZafIdentity } | { ok: false; reason: string };

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The account a token claims, before anything is verified: only to find whose key verifies it. */
export function claimedSubdomain(token: string): string | undefined {
  const parsed = claims.safeParse(decodePart(token.split('.')[1] ?? ''));
  return parsed.success ? issuer.exec(parsed.data.iss)?.[1]?.toLowerCase() : undefined;
}

/**
 * Verifies the signature with `publicKeyPem`, then the claims: issuer, audience (must be an app
 * installation of the issuing account, whose URL `accountBase` gives), and the time window.
 */
export function verifyZafJwt(token: string, publicKeyPem: string, accountBase: (subdomain: string) => string, now: Date): ZafJwtResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
  const [head, body, signature] = parts as [string, string, string];
  if (!header.safeParse(decodePart(head)).success) return { ok: false, reason: 'algorithm is not RS256' };
  let valid: boolean;
  try {
    valid = crypto.verify('sha256', Buffer.from(`${head}.${body}`), publicKeyPem, Buffer.from(signature, 'base64url'));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'signature does not verify with the app\'s public key' };
  const parsed = claims.safeParse(decodePart(body));
  if (!parsed.success) return { ok: false, reason: 'claims are missing or malformed' };
  const { iss, aud, exp, nbf, sub } = parsed.data;
  const subdomain = issuer.exec(iss)?.[1]?.toLowerCase();
  if (subdomain === undefined) return { ok: false, reason: `issuer ${iss} is not a Zendesk account` };
  const audience = new RegExp(`^${escapeRegExp(accountBase(subdomain))}/api/v2/apps/installations/(\\d+)\\.json$`).exec(aud);
  if (!audience?.[1]) return { ok: false, reason: 'audience is not an app installation of the issuing account' };
  const seconds = now.getTime() / 1000;
  if (exp + LEEWAY_SECONDS < seconds) return { ok: false, reason: 'token expired' };
  if (nbf !== undefined && nbf - LEEWAY_SECONDS > seconds) return { ok: false, reason: 'token not valid yet' };
  return { ok: true, identity: { subdomain, appInstallationId: audience[1], agentId: sub } };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
