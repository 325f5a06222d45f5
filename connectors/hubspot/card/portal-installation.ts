import type { Installation } from '../../../core/connectors/contract';
import { parseInstallation } from '../../../core/connectors/define-connector';
import { openActiveInstallations } from '../../../core/connectors/open-installation';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { hubspotConfigSchema, hubspotCredentialsSchema, type HubSpotConfig, type HubSpotCredentials } from '../hubspot-settings';
import { HUBSPOT_CONNECTOR_ID } from '../hubspot-id';

export type HubSpotInstallation = Installation<HubSpotConfig, HubSpotCredentials>;

const schemas = { displayName: 'HubSpot', configSchema: hubspotConfigSchema, credentialsSchema: hubspotCredentialsSchema };

/**
 * The active installation of a HubSpot portal in this workspace (one per portal per workspace), for a request
 * HubSpot signed that names the portal (card fetch, workflow action). Undefined when the portal has none, or
 * its settings no longer parse: the caller answers 404, and nothing of another portal is reachable.
 */
export async function installationOfPortal(deps: { db: Db; secrets: SecretBox }, workspaceId: string, portalId: number): Promise<HubSpotInstallation | undefined> {
  const records = await openActiveInstallations(deps, HUBSPOT_CONNECTOR_ID, { workspaceId });
  for (const record of records) {
    const parsed = parseInstallation(schemas, record);
    if (parsed.ok && parsed.installation.config.portalId === portalId) return parsed.installation;
  }
  return undefined;
}
