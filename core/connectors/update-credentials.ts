import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';

/**
 * Decides what an installation's credentials become, given what is stored now: the new credentials
 * to save, or null to keep them. Called with the installation's row locked.
 */
export type CredentialChange = (current: unknown) => Promise<unknown>;

export class InstallationNotActiveError extends Error {
  constructor(readonly installationId: string) {
    super(`Installation ${installationId} is not active (uninstalled, or its credentials were removed): reinstall it`);
  }
}

/**
 * Changes an installation's credentials one caller at a time: the row is locked, the stored
 * credentials are read again under the lock, and what `change` returns is sealed and committed
 * before anyone can use it. This is how a rotating refresh token is spent once: a second caller
 * waits, then sees the pair the first one saved (reference zendesk §3, salesforce §OAuth).
 * `change` may call the platform; the lock is held while it does.
 */
export async function updateInstallationCredentials(
  deps: { db: Db; secrets: SecretBox }, workspaceId: string, installationId: string, change: CredentialChange,
): Promise<unknown> {
  return deps.db.transaction(async (trx) => {
    const row: { credentials_sealed: string | null } | undefined = await trx('installation')
      .where({ workspace_id: workspaceId, id: installationId, state: 'active' })
      .forUpdate()
      .first('credentials_sealed');
    if (!row?.credentials_sealed) throw new InstallationNotActiveError(installationId);
    const current: unknown = JSON.parse(deps.secrets.open(row.credentials_sealed));
    const next = await change(current);
    if (next === null) return current;
    await trx('installation')
      .where({ workspace_id: workspaceId, id: installationId })
      .update({ credentials_sealed: deps.secrets.seal(JSON.stringify(next)) });
    return next;
  });
}
