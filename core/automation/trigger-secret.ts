import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import type { SecretBox } from '../crypto/secret-box';

/** Seconds a signed trigger or callback stays valid either side of now. */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;
export const SIGNATURE_HEADER = 'x-threadline-signature';
export const TIMESTAMP_HEADER = 'x-threadline-timestamp';

/**
 * The workspace's trigger signing secret, made on first use and replaced on each call: shown to the admin only
 * here, sealed at rest. A business system signs its trigger calls with it, and Threadline signs its callbacks.
 */
export async function rotateTriggerSecret(db: Knex, secrets: SecretBox, workspaceId: string, actor: string): Promise<string> {
  const secret = `tls_${crypto.randomBytes(32).toString('base64url')}`;
  await db.transaction(async (trx) => {
    await trx('trigger_secret').insert({ workspace_id: workspaceId, sealed_secret: secrets.seal(secret), rotated_at: trx.fn.now() })
      .onConflict('workspace_id').merge();
    await writeAudit(trx, { workspaceId, actor, action: 'automation.trigger_secret_rotated', entityType: 'workspace', entityId: workspaceId, data: {} });
  });
  return secret;
}

export async function loadTriggerSecret(db: Knex, secrets: SecretBox, workspaceId: string): Promise<string | undefined> {
  const row: { sealed_secret: string } | undefined = await db('trigger_secret').where({ workspace_id: workspaceId }).first('sealed_secret');
  return row ? secrets.open(row.sealed_secret) : undefined;
}

/**
 * `sha256=<hex>` of `<timestamp>.<raw body>`: the timestamp is signed with the body, so a captured request cannot
 * be replayed later with a fresh timestamp.
 */
export function signTrigger(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; message: string };

/** Whether a request carries a current signature by `secret` (constant time). */
export function checkTriggerSignature(
  secret: string, headers: { signature: string | undefined; timestamp: string | undefined }, rawBody: Buffer, nowMs: number,
): SignatureCheck {
  const timestamp = headers.timestamp ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, message: 'X-Threadline-Timestamp must be the signing time in Unix seconds' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, message: `X-Threadline-Timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes from now: sign each request when you send it (and check your clock)` };
  }
  const expected = Buffer.from(signTrigger(secret, timestamp, rawBody));
  const given = Buffer.from(headers.signature ?? '');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) {
    return { ok: false, message: 'X-Threadline-Signature is not sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> with the workspace\'s trigger secret' };
  }
  return { ok: true };
}
