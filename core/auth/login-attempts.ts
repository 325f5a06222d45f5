import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { randomToken, tokenHash, tokenMatches } from './secret-token';

/**
 * One admin's way through a platform's install pages: what the platform posted (its secrets sealed),
 * where to hand the account back, whom the admin proved to be, and the OAuth authorisation under way.
 * Platform pages run in the platform's iframe, where our cookies cannot be relied on, so the attempt
 * travels in the forms: its id plus a CSRF token (stored hashed) that only its own pages carry.
 * Nothing here knows a platform; the purpose names the flow.
 */
export interface LoginAttempt<Secrets = unknown> {
  id: string;
  purpose: string;
  account: string;
  returnUrl: string;
  secrets: Secrets;
  data: Record<string, unknown>;
  workspaceId: string | null;
  installationId: string | null;
  expiresAt: Date;
}

interface Row {
  id: string;
  purpose: string;
  account: string;
  return_url: string;
  csrf_hash: string;
  secrets_sealed: string;
  data: Record<string, unknown>;
  workspace_id: string | null;
  installation_id: string | null;
  pkce_verifier_sealed: string | null;
  expires_at: Date;
}

export const LOGIN_ATTEMPT_TTL_MS = 30 * 60_000;

export class LoginAttempts {
  constructor(private readonly deps: { db: Db; secrets: SecretBox }) {}

  /** Starts an attempt; the CSRF token is returned once, for the attempt's forms. */
  async start(input: {
    purpose: string; account: string; returnUrl: string; secrets: unknown; data?: Record<string, unknown>;
    workspaceId?: string; installationId?: string; ttlMs?: number;
  }): Promise<{ attempt: LoginAttempt; csrfToken: string }> {
    const csrfToken = randomToken();
    const [row]: Row[] = await this.deps.db('login_attempt').insert({
      purpose: input.purpose,
      account: input.account,
      return_url: input.returnUrl,
      csrf_hash: tokenHash(csrfToken),
      secrets_sealed: this.deps.secrets.seal(JSON.stringify(input.secrets)),
      data: JSON.stringify(input.data ?? {}),
      workspace_id: input.workspaceId ?? null,
      installation_id: input.installationId ?? null,
      expires_at: new Date(Date.now() + (input.ttlMs ?? LOGIN_ATTEMPT_TTL_MS)),
    }).returning('*');
    if (!row) throw new Error('login attempt not written');
    return { attempt: this.toAttempt(row), csrfToken };
  }

  /** The attempt a form names, if its CSRF token is the attempt's own and it is still open. */
  async resume(purpose: string, id: string, csrfToken: string): Promise<LoginAttempt | undefined> {
    const row = await this.open(purpose).where({ id }).first<Row | undefined>();
    return row && tokenMatches(csrfToken, row.csrf_hash) ? this.toAttempt(row) : undefined;
  }

  /** The admin proved they own this workspace (a connect code, a signed platform request). */
  async proveWorkspace(id: string, workspaceId: string): Promise<void> {
    await this.deps.db('login_attempt').where({ id }).update({ workspace_id: workspaceId });
  }

  async attachInstallation(id: string, installationId: string): Promise<void> {
    await this.deps.db('login_attempt').where({ id }).update({ installation_id: installationId });
  }

  /** Records an OAuth authorisation about to start: its state (hashed) and PKCE verifier (sealed). */
  async beginAuthorization(id: string, state: string, verifier: string): Promise<void> {
    await this.deps.db('login_attempt').where({ id }).update({ oauth_state_hash: tokenHash(state), pkce_verifier_sealed: this.deps.secrets.seal(verifier) });
  }

  /** The attempt an OAuth state belongs to, still open; unverified use only (to find whose authorisation it is). */
  async findByState(purpose: string, state: string): Promise<LoginAttempt | undefined> {
    const row = await this.open(purpose).where({ oauth_state_hash: tokenHash(state) }).first<Row | undefined>();
    return row && this.toAttempt(row);
  }

  /**
   * Spends an OAuth state: single use, so a replayed redirect finds nothing. Returns the PKCE verifier
   * stored with it, or undefined for a state that is not this attempt's current one.
   */
  async takeAuthorization(id: string, state: string): Promise<string | undefined> {
    const result: { rows: Pick<Row, 'pkce_verifier_sealed'>[] } = await this.deps.db.raw(
      `with taken as (
         select id, pkce_verifier_sealed from login_attempt
         where id = ? and oauth_state_hash = ? and completed_at is null and expires_at > now()
         for update
       )
       update login_attempt set oauth_state_hash = null, pkce_verifier_sealed = null
       from taken where login_attempt.id = taken.id
       returning taken.pkce_verifier_sealed`,
      [id, tokenHash(state)],
    );
    const row = result.rows[0];
    return row?.pkce_verifier_sealed ? this.deps.secrets.open(row.pkce_verifier_sealed) : undefined;
  }

  /** Done: the attempt cannot be resumed again; its secrets are dropped. */
  async complete(id: string): Promise<void> {
    await this.deps.db('login_attempt').where({ id }).update({ completed_at: this.deps.db.fn.now(), secrets_sealed: '', oauth_state_hash: null, pkce_verifier_sealed: null });
  }

  /** Expired attempts are of no use to anyone; called by whoever starts new ones. */
  async sweepExpired(): Promise<number> {
    return this.deps.db('login_attempt').where('expires_at', '<', this.deps.db.fn.now()).delete();
  }

  private open(purpose: string) {
    return this.deps.db('login_attempt').where({ purpose }).whereNull('completed_at').where('expires_at', '>', this.deps.db.fn.now());
  }

  private toAttempt(row: Row): LoginAttempt {
    return {
      id: row.id,
      purpose: row.purpose,
      account: row.account,
      returnUrl: row.return_url,
      secrets: JSON.parse(this.deps.secrets.open(row.secrets_sealed)) as unknown,
      data: row.data,
      workspaceId: row.workspace_id,
      installationId: row.installation_id,
      expiresAt: new Date(row.expires_at),
    };
  }
}
