import { accountBaseUrl, zendeskClientConfigFromEnv } from './config';
import { errorFromResponse, parseRetryAfter } from './errors';

describe('configuration', () => {
  it('builds each account base URL from ZENDESK_API_BASE, or the real host', () => {
    expect(accountBaseUrl(undefined, 'acme')).toBe('https://acme.zendesk.com');
    expect(accountBaseUrl('http://127.0.0.1:4010/{subdomain}/', 'acme')).toBe('http://127.0.0.1:4010/acme');
    expect(accountBaseUrl('https://proxy.internal', 'acme')).toBe('https://proxy.internal');
    expect(() => accountBaseUrl(undefined, 'evil.com/x')).toThrow('Not a Zendesk subdomain');
  });

  it('reads the environment', () => {
    expect(zendeskClientConfigFromEnv({ ZENDESK_CLIENT_ID: 'zdg-x', ZENDESK_CLIENT_SECRET: 's', ZENDESK_API_BASE: '' })).toEqual({ clientId: 'zdg-x', clientSecret: 's', timeoutMs: 10_000 });
    expect(() => zendeskClientConfigFromEnv({ ZENDESK_CLIENT_ID: 'zdg-x' })).toThrow();
  });
});

describe('error mapping', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(30_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('gives every status a code, and a 429 without Retry-After a minute', () => {
    expect(errorFromResponse(429, null, 'Number of allowed API requests per minute exceeded')).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000, message: 'Number of allowed API requests per minute exceeded' });
    expect(errorFromResponse(401, null, { error: "Couldn't authenticate you" }).code).toBe('UNAUTHORIZED');
    expect(errorFromResponse(400, null, { error: 'invalid_grant', error_description: 'used' }).code).toBe('INVALID_GRANT');
    expect(errorFromResponse(503, '120', undefined)).toMatchObject({ code: 'PLATFORM_UNAVAILABLE', retryAfterMs: 120_000, message: 'HTTP 503' });
  });
});
