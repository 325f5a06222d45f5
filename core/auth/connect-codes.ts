import crypto from 'node:crypto';
import type { Db } from '../db/connect';
import { tokenHash } from './secret-token';

/**
 * A connect code proves that whoever types it into a platform's install page owns the Threadline
 * workspace: a workspace admin issues it (admin API), reads it to the platform admin, who types it in.
 * Short-lived, single-use, stored hashed. 12 characters from 32 (60 bits): guessing one within its
 * 15 minutes is out of reach, and it is still short enough to type.
 */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: read aloud and typed by a person
const LENGTH = 12;
export const CONNECT_CODE_TTL_MS = 15 * 60_000;

export interface IssuedConnectCode {
  code: string;
  purpose: string;
  expiresAt: Date;
}

export async function issueConnectCode(db: Db, workspaceId: string, purpose: string, ttlMs = CONNECT_CODE_TTL_MS): Promise<IssuedConnectCode> {
  const chars = Array.from(crypto.randomBytes(LENGTH), (byte) => ALPHABET[byte % ALPHABET.length]).join('');
  const code = `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
  const expiresAt = new Date(Date.now() + ttlMs);
  await db('connect_code').insert({ workspace_id: workspaceId, purpose, code_hash: tokenHash(normalise(code)), expires_at: expiresAt });
  return { code, purpose, expiresAt };
}

/** Spends a code: the workspace it was issued for, or undefined when it is unknown, expired, used or for another purpose. */
export async function redeemConnectCode(db: Db, purpose: string, typed: string): Promise<string | undefined> {
  const [row]: { workspace_id: string }[] = await db('connect_code')
    .where({ code_hash: tokenHash(normalise(typed)), purpose })
    .whereNull('used_at')
    .where('expires_at', '>', db.fn.now())
    .update({ used_at: db.fn.now() })
    .returning('workspace_id');
  return row?.workspace_id;
}

/** People type codes with spaces, dashes and lower case. */
function normalise(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
