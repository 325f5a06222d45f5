/**
 * The connector contract as the rest of core uses it (the sync engine, the server). Core's own
 * contract, not a platform connector: those live in the top-level connectors/ folder.
 */
export type * from './contract';
export type { BoundEventTarget, BoundInstallation, Connector, InstallationRecord } from './define-connector';
export { defineConnector, parseInstallation, type InstallationSchemas } from './define-connector';
export { bindInstallation } from './bind-installation';
export { openActiveInstallations, openInstallation, workspaceOfInstallation, type OpenResult } from './open-installation';
export { ConnectorRegistry } from './registry';
export { updateInstallationCredentials, InstallationNotActiveError, type CredentialChange } from './update-credentials';
