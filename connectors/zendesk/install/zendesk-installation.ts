import { z } from 'zod';
import type { Installation } from '../../../core/connectors/contract';
import { parseInstallation, type InstallationRecord } from '../../../core/connectors/define-connector';
import { openActiveInstallations, openInstallation, workspaceOfInstallation } from '../../../core/connectors/open-installation';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { zendeskConnector } from '../zendesk-connector';
import { zendeskConfigSchema, zendeskCredentialsSchema, type ZendeskConfig, type ZendeskCredentials } from '../zendesk-settings';

/** An installation as the connector's own routes use it: parsed, its REST token refreshable (`withRestToken`). */
export type ZendeskInstallation = Installation<ZendeskConfig, ZendeskCredentials>;

type Deps = { db: Db; secrets: SecretBox };

const schemas = { displayName: zendeskConnector.displayName, configSchema: zendeskConfigSchema, credentialsSchema: zendeskCredentialsSchema };

/** A Zendesk installation's record parsed by the connector's schemas; undefined for another connector's or one that no longer parses. */
function asZendesk(record: InstallationRecord): ZendeskInstallation | undefined {
  if (record.connector !== zendeskConnector.id) return undefined;
  const parsed = parseInstallation(schemas, record);
  return parsed.ok ? parsed.installation : undefined;
}

/**
 * An active Zendesk installation with its credentials opened, for the requests Zendesk makes without
 * naming a workspace (admin UI edits, event callbacks): they prove themselves with its `metadataKey`.
 * Undefined for anything unknown, uninstalled, of another connector, or unreadable.
 */
export async function loadZendeskInstallation(deps: Deps, installationId: string): Promise<ZendeskInstallation | undefined> {
  if (!z.uuid().safeParse(installationId).success) return undefined;
  const workspaceId = await workspaceOfInstallation(deps.db, installationId);
  if (workspaceId === undefined) return undefined;
  const opened = await openInstallation(deps, workspaceId, installationId);
  return opened.ok ? asZendesk(opened.record) : undefined;
}

/**
 * The active installations (integration accounts) of one Zendesk account, oldest first: in one workspace
 * (the sidebar's), or in every workspace for an event that names only the subdomain.
 */
export async function zendeskInstallationsOf(deps: Deps, subdomain: string, where: { workspaceId?: string } = {}): Promise<ZendeskInstallation[]> {
  const records = await openActiveInstallations(deps, zendeskConnector.id, where);
  return records.flatMap((record) => {
    const installation = asZendesk(record);
    return installation?.config.subdomain.toLowerCase() === subdomain.toLowerCase() ? [installation] : [];
  });
}
