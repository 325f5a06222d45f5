import crypto from 'node:crypto';

const CACHE_MS = 60 * 60_000;

export type PublicKeyResult = { ok: true; pem: string } | { ok: false; message: string };

/**
 * The app's public key that ZAF JWTs verify with (reference §2.4): configured (ZENDESK_APP_PUBLIC_KEY),
 * else fetched from `GET /api/v2/apps/{app_id}/public_key.pem` on the account with its REST token and
 * kept for an hour, so a page load costs Zendesk one request per account per hour at most.
 */
export class AppPublicKeys {
  private readonly cache = new Map<string, { pem: string; until: number }>();

  constructor(private readonly options: { appId?: string; configuredPem?: string; timeoutMs?: number }) {}

  async forAccount(accountBase: string, accessToken: string | undefined, now: Date): Promise<PublicKeyResult> {
    if (this.options.configuredPem !== undefined) return { ok: true, pem: this.options.configuredPem };
    const { appId } = this.options;
    if (appId === undefined) return { ok: false, message: 'Threadline has neither ZENDESK_APP_PUBLIC_KEY nor ZENDESK_APP_ID configured' };
    const cached = this.cache.get(accountBase);
    if (cached && cached.until > now.getTime()) return { ok: true, pem: cached.pem };
    if (accessToken === undefined) return { ok: false, message: 'the Zendesk account has not authorised Threadline (no REST token) to read the app\'s public key' };
    let response: Response;
    try {
      response = await fetch(`${accountBase}/api/v2/apps/${encodeURIComponent(appId)}/public_key.pem`, {
        headers: { Authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (err) {
      return { ok: false, message: `Zendesk did not answer for the app's public key (${err instanceof Error ? err.message : String(err)})` };
    }
    const text = await response.text();
    if (!response.ok) return { ok: false, message: `Zendesk answered ${response.status} for the app's public key` };
    try {
      crypto.createPublicKey(text);
    } catch {
      return { ok: false, message: 'Zendesk\'s answer for the app\'s public key is not a PEM public key' };
    }
    this.cache.set(accountBase, { pem: text, until: now.getTime() + CACHE_MS });
    return { ok: true, pem: text };
  }
}
