import crypto from 'node:crypto';
import type { Installation } from '../../../core/connectors/contract';
import type { ZendeskResult } from '../client';
import { errorFromResponse, networkError } from '../client/errors';
import { hasRestToken, withRestToken, type RestTokenOptions } from '../rest-token';
import type { ZendeskConfig, ZendeskCredentials } from '../zendesk-settings';

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

  /**
   * `installation`: one of the account's, whose REST token reads the key. The token expires every 30
   * minutes and the key is fetched once an hour, so it goes through `withRestToken` (refreshed under the
   * installation's lock, once more on a 401) rather than as stored.
   */
  async forAccount(
    accountBase: string, installation: Installation<ZendeskConfig, ZendeskCredentials> | undefined, now: Date, tokens: RestTokenOptions = {},
  ): Promise<PublicKeyResult> {
    if (this.options.configuredPem !== undefined) return { ok: true, pem: this.options.configuredPem };
    const { appId } = this.options;
    if (appId === undefined) return { ok: false, message: 'Threadline has neither ZENDESK_APP_PUBLIC_KEY nor ZENDESK_APP_ID configured' };
    const cached = this.cache.get(accountBase);
    if (cached && cached.until > now.getTime()) return { ok: true, pem: cached.pem };
    if (installation === undefined || !hasRestToken(installation)) return { ok: false, message: 'the Zendesk account has not authorised Threadline (no REST token) to read the app\'s public key' };
    const fetched = await withRestToken(installation, (accessToken) => this.fetchPem(`${accountBase}/api/v2/apps/${encodeURIComponent(appId)}/public_key.pem`, accessToken), tokens);
    if (!fetched.ok) return { ok: false, message: `Zendesk did not give the app's public key (${fetched.error.message})` };
    this.cache.set(accountBase, { pem: fetched.value, until: now.getTime() + CACHE_MS });
    return { ok: true, pem: fetched.value };
  }

  private async fetchPem(url: string, accessToken: string): Promise<ZendeskResult<string>> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { headers: { Authorization: `Bearer ${accessToken}` }, redirect: 'error', signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) });
      text = await response.text();
    } catch (err) {
      return { ok: false, error: networkError(err) };
    }
    if (!response.ok) return { ok: false, error: errorFromResponse(response.status, response.headers.get('retry-after'), text) };
    try {
      crypto.createPublicKey(text);
    } catch {
      return { ok: false, error: { code: 'BAD_RESPONSE', message: 'its answer is not a PEM public key', status: response.status } };
    }
    return { ok: true, value: text };
  }
}
