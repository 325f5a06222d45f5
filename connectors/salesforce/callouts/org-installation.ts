import { parseInstallation } from '../../../core/connectors/define-connector';
import { openActiveInstallations } from '../../../core/connectors/open-installation';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import type { SalesforceInstallation } from '../client/salesforce-call';
import { SALESFORCE_CONNECTOR_ID } from '../salesforce-id';
import { salesforceConfigSchema, salesforceCredentialsSchema } from '../salesforce-settings';

const schemas = { displayName: 'Salesforce', configSchema: salesforceConfigSchema, credentialsSchema: salesforceCredentialsSchema };

/**
 * The active installation of a Salesforce org (18-character id) in this workspace, one per org; undefined when
 * the org has none or its settings no longer parse, so nothing of another org is reachable through it.
 */
export async function installationOfOrg(deps: { db: Db; secrets: SecretBox }, workspaceId: string, orgId: string): Promise<SalesforceInstallation | undefined> {
  const records = await openActiveInstallations(deps, SALESFORCE_CONNECTOR_ID, { workspaceId });
  for (const record of records) {
    const parsed = parseInstallation(schemas, record);
    if (parsed.ok && parsed.installation.config.orgId === orgId) return parsed.installation;
  }
  return undefined;
}
