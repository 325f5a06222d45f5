import crypto from 'node:crypto';

/**
 * The push `request_id` (reference §1.4), signed. `resources_created_from_external_ids` callbacks carry
 * no metadata, only this id (§1.8), so it must prove which installation's push it names: `tl-<outboxId>-<n>-<sig>`,
 * sig a 96-bit HMAC (base64url, 16 chars) under the installation's `metadataKey`. At most 44 characters,
 * so the client's `-<k>` suffix on a split push keeps it within Zendesk's 64.
 */
const SIG_CHARS = 16;
const pattern = /^tl-(\d{1,19})-(\d{1,4})-([A-Za-z0-9_-]{16})(?:-\d{1,3})?$/;

function signatureOf(installationId: string, body: string, metadataKey: string): string {
  return crypto.createHmac('sha256', metadataKey).update(`threadline:zendesk-request:v1:${installationId}:${body}`).digest('base64url').slice(0, SIG_CHARS);
}

export function signRequestId(installationId: string, outboxId: number, resources: number, metadataKey: string): string {
  const body = `${outboxId}-${resources}`;
  return `tl-${body}-${signatureOf(installationId, body, metadataKey)}`;
}

/** The outbox row a request id claims (unverified: only to find whose key verifies it). */
export function parseRequestId(requestId: string | null | undefined): { outboxId: number; body: string; signature: string } | undefined {
  const match = pattern.exec(requestId ?? '');
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  const outboxId = Number(match[1]);
  return Number.isSafeInteger(outboxId) ? { outboxId, body: `${match[1]}-${match[2]}`, signature: match[3] } : undefined;
}

/** Constant time; both sides are SIG_CHARS long by construction. */
export function verifyRequestId(claim: { body: string; signature: string }, installationId: string, metadataKey: string): boolean {
  const expected = Buffer.from(signatureOf(installationId, claim.body, metadataKey));
  const given = Buffer.from(claim.signature);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
