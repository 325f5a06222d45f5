import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import type { SecretBox } from '../crypto/secret-box';

/** Header names of a forwarded message: the HMAC of the raw body and the Unix time it was signed at (also in the body). */
export const SIGNATURE_HEADER = 'X-Threadline-Signature';
export const TIMESTAMP_HEADER = 'X-Threadline-Timestamp';

/** A bot is the `bot` rule of one scope: a number (its own bot) or the workspace (null, every other number). */
export interface BotScope {
  workspaceId: string;
  numberId: string | null;
}

const scoped = (q: Knex.QueryBuilder, scope: BotScope) => {
  q.where('workspace_id', scope.workspaceId);
  return scope.numberId === null ? q.whereNull('whatsapp_number_id') : q.where('whatsapp_number_id', scope.numberId);
};

/**
 * Makes a new signing secret for the bot, sealed at rest, and returns it: the only time it is shown. The previous
 * secret stops working at once, for the signatures Threadline sends and for the bot's calls alike.
 */
export async function rotateBotSecret(db: Knex, secrets: SecretBox, scope: BotScope, actor: string): Promise<string> {
  const secret = `tlbot_${crypto.randomBytes(32).toString('base64url')}`;
  await db.transaction(async (trx) => {
    await scoped(trx('bot_secret'), scope).delete();
    await trx('bot_secret').insert({ workspace_id: scope.workspaceId, whatsapp_number_id: scope.numberId, sealed_secret: secrets.seal(secret) });
    await writeAudit(trx, {
      workspaceId: scope.workspaceId, actor, action: 'bot.secret_rotated', entityType: 'bot', entityId: scope.numberId ?? scope.workspaceId, data: { numberId: scope.numberId },
    });
  });
  return secret;
}

/** The bot's secret, or undefined when none was made yet. */
export async function botSecret(db: Knex, secrets: SecretBox, scope: BotScope): Promise<string | undefined> {
  const row: { sealed_secret: string } | undefined = await scoped(db('bot_secret'), scope).first('sealed_secret');
  return row && secrets.open(row.sealed_secret);
}

/** The bot whose secret this is, compared in constant time; undefined when it is no bot's. */
export async function botOfSecret(db: Knex, secrets: SecretBox, workspaceId: string, given: string): Promise<BotScope | undefined> {
  const rows: Array<{ whatsapp_number_id: string | null; sealed_secret: string }> = await db('bot_secret').where({ workspace_id: workspaceId })
    .select('whatsapp_number_id', 'sealed_secret');
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  const wanted = digest(given);
  const match = rows.find((row) => crypto.timingSafeEqual(digest(secrets.open(row.sealed_secret)), wanted));
  return match && { workspaceId, numberId: match.whatsapp_number_id };
}

/** `sha256=<hex>`: the HMAC-SHA256 of the exact bytes sent. */
export function signBody(secret: string, rawBody: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
