import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';
import type { BindResult } from './define-connector';
import { openInstallation } from './open-installation';
import type { ConnectorRegistry } from './registry';

export type LoadResult = BindResult | { ok: false; code: 'NOT_FOUND' | 'NOT_ACTIVE' | 'UNKNOWN_CONNECTOR'; message: string };

/** Loads an active installation, opens its credentials and binds its connector's capabilities to it. */
export async function bindInstallation(
  deps: { db: Db; secrets: SecretBox; registry: ConnectorRegistry; logger: Logger }, workspaceId: string, installationId: string,
): Promise<LoadResult> {
  const opened = await openInstallation(deps, workspaceId, installationId);
  if (!opened.ok) return opened;
  const { record } = opened;
  const connector = deps.registry.get(record.connector);
  if (!connector) return { ok: false, code: 'UNKNOWN_CONNECTOR', message: `Installation ${installationId} uses connector ${record.connector}, which this build does not ship` };
  return connector.bind(record, deps.logger);
}
