import { writeAudit } from '../audit/write-audit';
import type { Db } from '../db/connect';
import { randomToken, tokenHash } from './secret-token';

export type ConsoleRole = 'admin' | 'viewer';

/** Who is signed in to the admin console, for which workspace, with which role. */
export interface ConsoleSession {
  workspaceId: string;
  role: ConsoleRole;
  /** As written to the audit log: "admin-token", "zendesk:<user id>" … */
  actor: string;
  displayName: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface ConsoleNotice {
  kind: 'success' | 'error';
  text: string;
}

/** A console session lasts a working day; signing in again starts a new one. */
export const CONSOLE_SESSION_HOURS = 12;

interface SessionRow {
  workspace_id: string;
  role: ConsoleRole;
  actor: string;
  display_name: string;
  csrf_token: string;
  expires_at: Date;
  flash: ConsoleNotice | null;
}

/** Starts a session and answers the token for the cookie; only its hash is stored. The sign-in is audited in the same commit. */
export async function startConsoleSession(db: Db, who: Omit<ConsoleSession, 'csrfToken' | 'expiresAt'>): Promise<{ token: string; session: ConsoleSession }> {
  const token = randomToken();
  const session: ConsoleSession = { ...who, csrfToken: randomToken(), expiresAt: new Date(Date.now() + CONSOLE_SESSION_HOURS * 3_600_000) };
  await db.transaction(async (trx) => {
    await trx('console_session').insert({
      token_hash: tokenHash(token), workspace_id: who.workspaceId, role: who.role, actor: who.actor, display_name: who.displayName,
      csrf_token: session.csrfToken, expires_at: session.expiresAt,
    });
    // The provider is the actor's prefix ("zendesk:<user id>" → zendesk; "admin-token" is its own).
    const provider = who.actor.split(':')[0] ?? who.actor;
    await writeAudit(trx, { workspaceId: who.workspaceId, actor: who.actor, action: 'console.sign_in', entityType: 'workspace', entityId: who.workspaceId, data: { role: who.role, provider } });
  });
  return { token, session };
}

/**
 * The live session a cookie names, with the notice left for this page (cleared as it is read), or
 * undefined when the token is unknown or expired.
 */
export async function readConsoleSession(db: Db, token: string): Promise<{ session: ConsoleSession; notice: ConsoleNotice | null } | undefined> {
  const rows: SessionRow[] = await db.raw(
    `update console_session s set flash = null from (select flash as old_flash, token_hash from console_session where token_hash = ? and expires_at > now() for update) old
     where s.token_hash = old.token_hash
     returning s.workspace_id, s.role, s.actor, s.display_name, s.csrf_token, s.expires_at, old.old_flash as flash`,
    [tokenHash(token)],
  ).then((r: { rows: SessionRow[] }) => r.rows);
  const row = rows[0];
  if (!row) return undefined;
  return {
    session: { workspaceId: row.workspace_id, role: row.role, actor: row.actor, displayName: row.display_name, csrfToken: row.csrf_token, expiresAt: row.expires_at },
    notice: row.flash,
  };
}

/** Leaves a notice for the next page the session opens (post/redirect/get). */
export async function leaveConsoleNotice(db: Db, token: string, notice: ConsoleNotice): Promise<void> {
  await db('console_session').where({ token_hash: tokenHash(token) }).update({ flash: JSON.stringify(notice) });
}

export async function endConsoleSession(db: Db, token: string): Promise<void> {
  await db('console_session').where({ token_hash: tokenHash(token) }).delete();
}

/** Expired sessions are dead weight; the prune job removes them. */
export async function pruneConsoleSessions(db: Db): Promise<number> {
  return db('console_session').where('expires_at', '<', db.fn.now()).delete();
}

export const PRUNE_CONSOLE_SESSIONS_TASK = 'prune_console_sessions';
export const PRUNE_CONSOLE_SESSIONS_CRONTAB = `25 * * * * ${PRUNE_CONSOLE_SESSIONS_TASK}`;

export function pruneConsoleSessionsTask(db: Db): () => Promise<void> {
  return async () => {
    await pruneConsoleSessions(db);
  };
}
