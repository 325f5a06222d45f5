import { expectedV1, expectedV2, expectedV3 } from '../../../connectors/hubspot/signatures';

/**
 * HubSpot's signatures over exact bytes (the fake's helpers take strings, which cannot carry invalid UTF-8):
 * valid, so the parser behind the signature is what the hostile body reaches, or deliberately stale.
 */
export function hubspotHeaders(clientSecret: string, request: { method: string; uri: string; body: Buffer; versions: Array<'v1' | 'v2' | 'v3'>; timestamp?: number }): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const version of request.versions) {
    if (version === 'v3') {
      const timestamp = String(request.timestamp ?? Date.now());
      headers['x-hubspot-signature-v3'] = expectedV3(clientSecret, request.method, request.uri, request.body, timestamp).toString('base64');
      headers['x-hubspot-request-timestamp'] = timestamp;
    } else {
      const digest = version === 'v1' ? expectedV1(clientSecret, request.body) : expectedV2(clientSecret, request.method, request.uri, request.body);
      headers['x-hubspot-signature'] = digest.toString('hex');
      headers['x-hubspot-signature-version'] = version;
    }
  }
  return headers;
}
