import crypto from 'node:crypto';
import { startZendeskFake, type ZendeskFake } from '../../../test/fakes/zendesk/zendesk-fake';
import type { ZendeskClientConfig } from './config';
import { exchangeAuthorizationCode, refreshAccessToken } from './oauth';
import { ZendeskRestClient } from './rest-client';
import { fakeConfig } from './test-helpers';

const redirectUri = 'http://127.0.0.1:9/connectors/zendesk/oauth/callback';
let fake: ZendeskFake;
let config: ZendeskClientConfig;

beforeEach(async () => {
  fake = await startZendeskFake({ accounts: ['acme', 'globex'], oauthClient: { redirectUris: [redirectUri] } });
  config = fakeConfig(fake.apiBase);
});
afterEach(() => fake.stop());

/** What the admin's browser does: approve, follow the redirect, hand us the code. */
async function authorize(subdomain: string, extra: Record<string, string> = {}): Promise<string> {
  const url = new URL(`${fake.baseUrlFor(subdomain)}/oauth/authorizations/new`);
  const params = { response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri, scope: 'read write', state: 'xyz', ...extra };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('xyz');
  return location.searchParams.get('code') ?? '';
}

/** A REST call that only an authorised token gets past (the ticket does not exist: 404, not 401). */
async function canUse(subdomain: string, token: string): Promise<string> {
  const answer = await new ZendeskRestClient(config, subdomain, token).getTicket(1);
  return answer.ok ? 'ok' : answer.error.code;
}

describe('OAuth with expiring tokens and rotating refresh tokens', () => {
  it('exchanges a code for an expiring pair; refreshing returns a new pair and kills the old one', async () => {
    const started = Date.now();
    const first = await exchangeAuthorizationCode(config, { subdomain: 'acme', code: await authorize('acme'), redirectUri });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.scopes).toEqual(['read', 'write']);
    expect(first.value.expiresAt?.getTime()).toBeGreaterThanOrEqual(started + 1800_000);
    expect(first.value.expiresAt?.getTime()).toBeLessThan(started + 1800_000 + 5_000);
    expect(first.value.refreshTokenExpiresAt?.getTime()).toBeGreaterThanOrEqual(started + 2_592_000_000);
    expect(await canUse('acme', first.value.accessToken)).toBe('NOT_FOUND');

    const second = await refreshAccessToken(config, { subdomain: 'acme', refreshToken: first.value.refreshToken ?? '' });
    if (!second.ok) throw new Error(second.error.message);
    expect(second.value.accessToken).not.toBe(first.value.accessToken);
    expect(second.value.refreshToken).not.toBe(first.value.refreshToken);
    expect(await canUse('acme', second.value.accessToken)).toBe('NOT_FOUND');
    expect(await canUse('acme', first.value.accessToken)).toBe('UNAUTHORIZED');

    const reused = await refreshAccessToken(config, { subdomain: 'acme', refreshToken: first.value.refreshToken ?? '' });
    expect(reused).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT', status: 400 } });
    // The refused reuse does not hurt the current pair.
    expect(await canUse('acme', second.value.accessToken)).toBe('NOT_FOUND');
  });

  it('access tokens expire; a code is single use, bound to its account, and checks PKCE', async () => {
    const code = await authorize('acme');
    const pair = await exchangeAuthorizationCode(config, { subdomain: 'acme', code, redirectUri, expiresIn: 300 });
    if (!pair.ok) throw new Error(pair.error.message);
    expect(await canUse('globex', pair.value.accessToken)).toBe('UNAUTHORIZED');
    fake.state.advanceTime(301_000);
    expect(await canUse('acme', pair.value.accessToken)).toBe('UNAUTHORIZED');
    expect(await exchangeAuthorizationCode(config, { subdomain: 'acme', code, redirectUri })).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });
    expect(await exchangeAuthorizationCode(config, { subdomain: 'globex', code: await authorize('acme'), redirectUri })).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });

    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const pkceCode = await authorize('acme', { code_challenge: challenge, code_challenge_method: 'S256' });
    expect(await exchangeAuthorizationCode(config, { subdomain: 'acme', code: pkceCode, redirectUri, codeVerifier: 'wrong' })).toMatchObject({ ok: false, error: { code: 'INVALID_GRANT' } });
    const pkceCode2 = await authorize('acme', { code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await exchangeAuthorizationCode(config, { subdomain: 'acme', code: pkceCode2, redirectUri, codeVerifier: verifier })).ok).toBe(true);
  });

  it('maps client, TTL and platform failures', async () => {
    const wrongSecret = { ...config, clientSecret: 'nope' };
    expect(await exchangeAuthorizationCode(wrongSecret, { subdomain: 'acme', code: await authorize('acme'), redirectUri })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED', status: 401 } });
    expect(await exchangeAuthorizationCode(config, { subdomain: 'acme', code: await authorize('acme'), redirectUri, expiresIn: 60 })).toMatchObject({
      ok: false,
      error: { code: 'UNPROCESSABLE', status: 400, message: expect.stringContaining('expires_in must be between 300') },
    });
    fake.state.failNext(1, 'unavailable', { scope: 'oauth' });
    expect(await refreshAccessToken(config, { subdomain: 'acme', refreshToken: 'x' })).toMatchObject({ ok: false, error: { code: 'PLATFORM_UNAVAILABLE', status: 503 } });
    expect(await refreshAccessToken(config, { subdomain: 'nosuchaccount', refreshToken: 'x' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
