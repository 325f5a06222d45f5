import { Writable } from 'node:stream';
import { createLogger, scrubText } from '../../../core/observability/logger';

const SECRET = 'sekret-value-0123456789';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString('utf8')); done(); } });
  return { logger: createLogger({ level: 'trace', destination }), text: () => lines.join('') };
}

describe('logger redaction', () => {
  it.each([
    ['a token key at the top', { accessToken: SECRET }],
    ['a token key one level down', { installation: { refreshToken: SECRET } }],
    ['credentials of any shape', { installation: { credentials: { whatever: SECRET } } }],
    ['client secret and PKCE verifier', { body: { client_secret: SECRET, code_verifier: SECRET } }],
    ['connector secrets', { c: { pushToken: SECRET, calloutKey: SECRET, apiKey: SECRET, metadataKey: SECRET } }],
    ['request headers on an HTTP client error', { err: { config: { headers: { Authorization: `Bearer ${SECRET}` } } } }],
    ['response cookies', { res: { headers: { 'set-cookie': `threadline_console=${SECRET}` } } }],
    ['a bearer token inside an error message', { err: new Error(`401 from https://api.example.com with Authorization: Bearer ${SECRET}`) }],
    ['a token in a URL inside a string', { url: `https://graph.example.com/v24.0/me?access_token=${SECRET}&fields=id` }],
    ['a token endpoint form body inside a string', { detail: `grant_type=refresh_token&refresh_token=${SECRET}&client_secret=${SECRET}` }],
  ])('keeps out %s', (_name, object) => {
    const { logger, text } = capture();
    logger.warn(object, 'something failed');
    expect(text()).toContain('something failed');
    expect(text()).not.toContain(SECRET);
  });

  it('scrubs the message itself', () => {
    const { logger, text } = capture();
    logger.error(`token exchange failed: code=${SECRET}`);
    expect(text()).toContain('code=[redacted]');
    expect(text()).not.toContain(SECRET);
  });

  it('keeps what is not secret readable: error codes, ids, dates, stacks', () => {
    const { logger, text } = capture();
    const err = Object.assign(new Error('Graph API error 190: Error validating access token'), { code: 190 });
    logger.warn({ err, installationId: 'inst-1', at: new Date('2026-01-02T03:04:05Z'), tokenExpired: true }, 'read receipt not sent');
    const line = JSON.parse(text());
    expect(line).toMatchObject({ installationId: 'inst-1', at: '2026-01-02T03:04:05.000Z', tokenExpired: true, err: { code: 190, message: 'Graph API error 190: Error validating access token' } });
    expect(line.err.stack).toContain('logger-redaction.test.ts');
    expect(scrubText('Bearer abc.def-ghi and access_token=xyz&x=1')).toBe('Bearer [redacted] and access_token=[redacted]&x=1');
  });
});
