import { legacyHeaders, v3Headers } from '../fakes/hubspot/request-signing';
import { requestUri, verifyHubSpotSignature, type HubSpotSignedRequest, type SignatureVersion } from '../../connectors/hubspot/signatures';

const clientSecret = 'hubspot-client-secret-4b1c9e';
const publicUrl = 'https://threadline.example.com';
const path = '/connectors/hubspot/card/thread?portalId=62515&userId=7&objectTypeId=0-1&objectId=101&appId=4242';
const uri = requestUri(`${publicUrl}/`, path);
const body = JSON.stringify({ text: 'Olá, ünïcode ✓' });
const now = 1_800_000_000_000;

function request(headers: Record<string, string>, overrides: Partial<HubSpotSignedRequest> = {}): HubSpotSignedRequest {
  // Lower-cased as node hands them over, to prove the lookup does not depend on case.
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', uri, rawBody: Buffer.from(body, 'utf8'), headers: lower, ...overrides };
}

const verify = (req: HubSpotSignedRequest, accept: readonly SignatureVersion[], secret = clientSecret) =>
  verifyHubSpotSignature(req, { clientSecret: secret, accept, now: () => now });

const sign = { clientSecret, method: 'POST', url: uri, body, timestamp: now - 1_000 };

describe('HubSpot signatures (§6.3)', () => {
  test('v3 as the fake (HubSpot) signs it is accepted; tampered copies are not', () => {
    const headers = v3Headers(sign);
    expect(verify(request(headers), ['v3'])).toEqual({ ok: true, version: 'v3' });
    expect(verify(request(headers, { rawBody: Buffer.from(body.replace('Olá', 'Ola')) }), ['v3'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request(headers, { uri: uri.replace('62515', '62516') }), ['v3'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request(headers, { method: 'PUT' }), ['v3'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request({ ...headers, 'X-HubSpot-Request-Timestamp': String(now - 500) }), ['v3'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request(headers), ['v3'], 'another-secret')).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  test('v3 decodes the escapes the doc lists before signing, and only those', () => {
    const escaped = `${publicUrl}/connectors/hubspot/card/thread?portalId=62515&email=a%40b.example&note=x%2Cy%20z`;
    const headers = v3Headers({ ...sign, url: escaped });
    expect(verify(request(headers, { uri: escaped }), ['v3'])).toEqual({ ok: true, version: 'v3' });
    // %20 stays encoded in the signed string: a verifier that decoded everything would compute another digest.
    const allDecoded = v3Headers({ ...sign, url: decodeURIComponent(escaped) });
    expect(verify(request(allDecoded, { uri: escaped }), ['v3'])).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  test('v3 outside 5 minutes is refused as stale, in either direction, without throwing', () => {
    expect(verify(request(v3Headers({ ...sign, timestamp: now - 300_001 })), ['v3'])).toMatchObject({ ok: false, reason: 'stale' });
    expect(verify(request(v3Headers({ ...sign, timestamp: now + 300_001 })), ['v3'])).toMatchObject({ ok: false, reason: 'stale' });
    expect(verify(request(v3Headers({ ...sign, timestamp: now - 299_000 })), ['v3'])).toEqual({ ok: true, version: 'v3' });
  });

  test('missing or malformed v3 headers are refused', () => {
    const headers = v3Headers(sign);
    expect(verify(request({}), ['v3'])).toMatchObject({ ok: false, reason: 'missing' });
    expect(verify(request({ 'X-HubSpot-Signature-v3': headers['X-HubSpot-Signature-v3'] as string }), ['v3'])).toMatchObject({ ok: false, reason: 'missing' });
    expect(verify(request({ ...headers, 'X-HubSpot-Signature-v3': 'not base64!' }), ['v3'])).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verify(request({ ...headers, 'X-HubSpot-Request-Timestamp': '2026-01-01' }), ['v3'])).toMatchObject({ ok: false, reason: 'malformed' });
  });

  test('v2 (workflow actions) covers method, URI and body', () => {
    const headers = legacyHeaders('v2', sign);
    expect(verify(request(headers), ['v2'])).toEqual({ ok: true, version: 'v2' });
    expect(verify(request(headers, { uri: `${uri}&x=1` }), ['v2'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request(headers, { rawBody: Buffer.from(`${body} `) }), ['v2'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request({ ...headers, 'X-HubSpot-Signature': 'ab'.repeat(31) }), ['v2'])).toMatchObject({ ok: false, reason: 'malformed' });
    // A v1 signature (body only) is not accepted where v2 is required.
    expect(verify(request(legacyHeaders('v1', sign)), ['v2'])).toMatchObject({ ok: false, reason: 'missing' });
  });

  test('v1 (CRM webhooks) covers the body; v3 decides when both are present', () => {
    const v1 = legacyHeaders('v1', sign);
    expect(verify(request(v1), ['v1', 'v3'])).toEqual({ ok: true, version: 'v1' });
    expect(verify(request(v1, { rawBody: Buffer.from('[]') }), ['v1', 'v3'])).toMatchObject({ ok: false, reason: 'mismatch' });
    expect(verify(request({ ...v1, ...v3Headers(sign) }), ['v1', 'v3'])).toEqual({ ok: true, version: 'v3' });
    // A captured request replayed later: its v1 signature still matches, but the stale v3 refuses it.
    const replay = request({ ...v1, ...v3Headers({ ...sign, timestamp: now - 3_600_000 }) });
    expect(verify(replay, ['v1', 'v3'])).toMatchObject({ ok: false, reason: 'stale' });
    expect(verify(request(v1), ['v3'])).toMatchObject({ ok: false, reason: 'missing' });
  });
});
