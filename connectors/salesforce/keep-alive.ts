import type { Task } from 'graphile-worker';
import type { SecretBox } from '../../core/crypto/secret-box';
import type { Db } from '../../core/db/connect';
import type { Logger } from '../../core/observability/logger';
import { refreshUnderLock } from './client/salesforce-call';
import type { SalesforceOAuthApp } from './oauth/oauth-app';
import { salesforceInstallations } from './oauth/salesforce-installations';

/**
 * Refresh tokens die after 30 days unused (reference §1.2 item 3): an org nobody wrote to for a while would
 * silently need reconnecting. Refreshing what is idle for a week leaves three weeks of daily runs to succeed.
 */
export const KEEP_ALIVE_IDLE_MS = 7 * 86_400_000;

export const KEEP_ALIVE_TASK = 'salesforce_keep_alive';

/** Daily at 03:17, on whichever worker gets the slot (graphile-worker crontab). */
export const KEEP_ALIVE_CRONTAB = `17 3 * * * ${KEEP_ALIVE_TASK}`;

interface Deps { db: Db; secrets: SecretBox; logger: Logger; app: SalesforceOAuthApp | undefined; now?: () => number }

export interface KeepAliveRun {
  refreshed: string[];
  /** The ones Salesforce refused for good: now reinstall_required, for an admin to reconnect. */
  refused: string[];
  /** Not refreshed this time (Salesforce unreachable …): tomorrow's run tries again. */
  failed: string[];
}

/**
 * Refreshes every active Salesforce installation (all workspaces) whose token was last used more than a week
 * ago, under its lock (`refreshUnderLock`): an installation another worker refreshed meanwhile is left alone,
 * and the rotated refresh token is saved. INVALID_GRANT marks the installation reinstall_required.
 */
export async function keepSalesforceOrgsAlive(deps: Deps): Promise<KeepAliveRun> {
  const now = deps.now ?? Date.now;
  const run: KeepAliveRun = { refreshed: [], refused: [], failed: [] };
  const idle = (await salesforceInstallations(deps)).filter(({ installation, state }) => state === 'active'
    && now() - Date.parse(installation.credentials.refreshedAt) > KEEP_ALIVE_IDLE_MS);
  for (const { installation } of idle) {
    const { refreshedAt } = installation.credentials;
    const result = await refreshUnderLock(installation, (stored) => stored.refreshedAt === refreshedAt, { app: deps.app, now });
    const context = { installationId: installation.id, workspaceId: installation.workspaceId, orgId: installation.config.orgId };
    if (result.ok) {
      run.refreshed.push(installation.id);
    } else if (result.error.code === 'INVALID_GRANT') {
      run.refused.push(installation.id);
      deps.logger.error({ ...context, code: result.error.code }, `Salesforce refused the keep-alive refresh: an admin must connect org ${installation.config.orgId} again (${result.error.message})`);
    } else {
      run.failed.push(installation.id);
      deps.logger.warn({ ...context, code: result.error.code }, `Salesforce keep-alive refresh failed, tried again tomorrow: ${result.error.message}`);
    }
  }
  if (idle.length > 0) deps.logger.info({ refreshed: run.refreshed.length, refused: run.refused.length, failed: run.failed.length }, 'Salesforce keep-alive done');
  return run;
}

export function keepAliveTask(deps: Deps): Task {
  return async () => {
    await keepSalesforceOrgsAlive(deps);
  };
}
