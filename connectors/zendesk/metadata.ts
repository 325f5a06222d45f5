import crypto from 'node:crypto';
import { z } from 'zod';

/**
 * The instance metadata string Zendesk stores and sends back on every channelback (reference §1.3): our
 * installation id and an HMAC of it under the installation's `metadataKey`, which never leaves our
 * database. Zendesk admins can read metadata, so it carries no token; a forged or foreign one fails here.
 */
const metadataSchema = z.object({ v: z.literal(1), installation_id: z.uuid(), signature: z.string().min(1) });

function signatureOf(installationId: string, key: string): string {
  return crypto.createHmac('sha256', key).update(`threadline:zendesk-metadata:v1:${installationId}`).digest('base64url');
}

/** What the install flow posts to Zendesk's return_url as `metadata`. */
export function signInstallationMetadata(installationId: string, metadataKey: string): string {
  return JSON.stringify({ v: 1, installation_id: installationId, signature: signatureOf(installationId, metadataKey) });
}

/** The installation a metadata string claims, unverified: only to find whose key verifies it. */
export function claimedInstallationId(metadata: string | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(metadata));
    return parsed.success ? parsed.data.installation_id : undefined;
  } catch {
    return undefined;
  }
}

/** True when the metadata names this installation and its signature is this installation's. */
export function verifyInstallationMetadata(metadata: string | undefined, installationId: string, metadataKey: string): boolean {
  if (metadata === undefined) return false;
  let parsed: z.infer<typeof metadataSchema>;
  try {
    const checked = metadataSchema.safeParse(JSON.parse(metadata));
    if (!checked.success) return false;
    parsed = checked.data;
  } catch {
    return false;
  }
  // Hashes first: timingSafeEqual needs equal lengths, and a length must not leak either.
  const given = crypto.createHash('sha256').update(parsed.signature).digest();
  const expected = crypto.createHash('sha256').update(signatureOf(installationId, metadataKey)).digest();
  return crypto.timingSafeEqual(given, expected) && parsed.installation_id === installationId;
}
