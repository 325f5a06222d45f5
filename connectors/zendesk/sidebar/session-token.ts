import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * Our own short-lived token for the sidebar page's API calls, issued once the ZAF JWT verified (which
 * lives ~5 minutes and is posted once). HMAC-SHA256 under a server key: it names the Zendesk account,
 * the Threadline installations of that account (the only ones whose tickets it may read) and the agent.
 */
const sessionClaims = z.object({
  v: z.literal(1),
  workspaceId: z.uuid(),
  subdomain: z.string().min(1),
  installationIds: z.array(z.uuid()).min(1),
  agentId: z.string().min(1),
  exp: z.number(),
});
export type SidebarSession = Omit<z.infer<typeof sessionClaims>, 'v' | 'exp'>;

export const SESSION_TTL_SECONDS = 30 * 60;

function mac(key: Buffer, payload: string): Buffer {
  return crypto.createHmac('sha256', key).update(`threadline:zendesk-sidebar:v1:${payload}`).digest();
}

export function issueSessionToken(key: Buffer, session: SidebarSession, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...session, exp: Math.floor(now.getTime() / 1000) + SESSION_TTL_SECONDS })).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

export type SessionCheck = { ok: true; session: SidebarSession } | { ok: false; reason: 'invalid' | 'expired' };

export function verifySessionToken(key: Buffer, token: string, now: Date): SessionCheck {
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return { ok: false, reason: 'invalid' };
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const parsed = sessionClaims.safeParse(decoded);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  if (parsed.data.exp <= now.getTime() / 1000) return { ok: false, reason: 'expired' };
  const { v: _v, exp: _exp, ...session } = parsed.data;
  return { ok: true, session };
}
