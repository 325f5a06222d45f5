import crypto from 'node:crypto';

/**
 * HubSpot's request signatures (reference §6.3, request-validation doc). These are what HubSpot computes when it
 * calls an app; the connector's verifier is tested against them, and the fake's self-test checks them against
 * an implementation written separately from the same description.
 */

/** v1, CRM webhooks: hex SHA-256 of client secret + raw body. */
export function signatureV1(clientSecret: string, body: string): string {
  return crypto.createHash('sha256').update(clientSecret + body, 'utf8').digest('hex');
}

/** v2, workflow actions and legacy cards: hex SHA-256 of client secret + method + URI + raw body. */
export function signatureV2(clientSecret: string, method: string, uri: string, body: string): string {
  return crypto.createHash('sha256').update(clientSecret + method + uri + body, 'utf8').digest('hex');
}

/** v3, webhooks, `hubspot.fetch` and custom channels: Base64 HMAC-SHA256 keyed by the client secret over method + URI + body + timestamp. */
export function signatureV3(clientSecret: string, method: string, uri: string, body: string, timestamp: number): string {
  return crypto.createHmac('sha256', clientSecret).update(method + v3Uri(uri) + body + String(timestamp), 'utf8').digest('base64');
}

// The characters the request-validation doc lists as URL-decoded before the v3 string is built.
const v3Decoded: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function v3Uri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => v3Decoded[match.toUpperCase()] ?? match);
}

export interface SignedRequest {
  /** Where the fake sends it (the app's local address in tests). */
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export interface SignOptions {
  clientSecret: string;
  method: string;
  /** Where to send the request. */
  url: string;
  /** The URL HubSpot believes it calls (the app's public URL behind a proxy); signed instead of `url`. Default `url`. */
  publicUrl?: string;
  body: string;
  /** ms since the epoch; default now. A value over 5 minutes old must be refused. */
  timestamp?: number;
}

/** The v3 headers (`X-HubSpot-Signature-v3`, `X-HubSpot-Request-Timestamp`). */
export function v3Headers(options: SignOptions): Record<string, string> {
  const timestamp = options.timestamp ?? Date.now();
  return {
    'X-HubSpot-Signature-v3': signatureV3(options.clientSecret, options.method, options.publicUrl ?? options.url, options.body, timestamp),
    'X-HubSpot-Request-Timestamp': String(timestamp),
  };
}

/** The v1 or v2 headers (`X-HubSpot-Signature`, `X-HubSpot-Signature-Version`). */
export function legacyHeaders(version: 'v1' | 'v2', options: SignOptions): Record<string, string> {
  const signature =
    version === 'v1' ? signatureV1(options.clientSecret, options.body) : signatureV2(options.clientSecret, options.method, options.publicUrl ?? options.url, options.body);
  return { 'X-HubSpot-Signature': signature, 'X-HubSpot-Signature-Version': version };
}

/** Sends a signed request byte for byte and reports the answer. Throws only when no answer came. */
export async function sendSigned(request: SignedRequest): Promise<{ status: number; body: string }> {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' || request.method === 'HEAD' ? undefined : request.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}
