import { parseInstallation, type InstallationRecord } from '../../../core/connectors/define-connector';
import { openActiveInstallations, openInstallation } from '../../../core/connectors/open-installation';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import type { SalesforceInstallation } from '../client/salesforce-call';
import { SALESFORCE_CONNECTOR_ID } from '../salesforce-id';
import { salesforceConfigSchema, salesforceCredentialsSchema } from '../salesforce-settings';

const schemas = { displayName: 'Salesforce', configSchema: salesforceConfigSchema, credentialsSchema: salesforceCredentialsSchema };

export interface ParsedInstallation {
  installation: SalesforceInstallation;
  /** 'active' or 'reinstall_required' */
  state: string;
}

/**
 * The Salesforce installations still holding credentials (active, or waiting for an admin to reconnect),
 * parsed: in one workspace, or in every workspace for the keep-alive. Rows that no longer parse are left out.
 */
export async function salesforceInstallations(deps: { db: Db; secrets: SecretBox }, workspaceId?: string): Promise<ParsedInstallation[]> {
  const records = await openActiveInstallations(deps, SALESFORCE_CONNECTOR_ID, { ...(workspaceId === undefined ? {} : { workspaceId }), alsoReinstallRequired: true });
  const states = await statesOf(deps.db, records);
  return records.flatMap((record) => {
    const parsed = parseInstallation(schemas, record);
    return parsed.ok ? [{ installation: parsed.installation, state: states.get(record.id) ?? 'active' }] : [];
  });
}

// openActiveInstallations does not say which of the two states a row is in.
async function statesOf(db: Db, records: InstallationRecord[]): Promise<Map<string, string>> {
  const rows: Array<{ id: string; state: string }> = await db('installation').whereIn('id', records.map((r) => r.id)).select('id', 'state');
  return new Map(rows.map((row) => [row.id, row.state]));
}

/** One active installation, parsed; undefined when it is not an active Salesforce installation of this workspace. */
export async function openSalesforceInstallation(deps: { db: Db; secrets: SecretBox }, workspaceId: string, installationId: string): Promise<SalesforceInstallation | undefined> {
  const opened = await openInstallation(deps, workspaceId, installationId);
  if (!opened.ok || opened.record.connector !== SALESFORCE_CONNECTOR_ID) return undefined;
  const parsed = parseInstallation(schemas, opened.record);
  return parsed.ok ? parsed.installation : undefined;
}
