import type { PlatformRequestDeps } from '../../../core/connectors/receive-platform-request';
import type { ExternalLinkWrite } from '../../../core/connectors/contract';
import type { LoginAttempts } from '../../../core/auth/login-attempts';
import type { ZendeskClientConfig } from '../client';

/** A WhatsApp number of a workspace, as the install page lists it. */
export interface NumberChoice {
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
}

/** What the server hands the connector's routes: core's services, never core's modules. */
export interface ZendeskRouteDeps extends PlatformRequestDeps {
  /** Where Zendesk reaches us (PUBLIC_URL), no trailing slash. */
  publicUrl: string;
  production: boolean;
  /** The global OAuth client; undefined when ZENDESK_CLIENT_ID/SECRET are not configured. */
  app: ZendeskClientConfig | undefined;
  loginAttempts: LoginAttempts;
  redeemConnectCode(purpose: string, code: string): Promise<string | undefined>;
  listNumbers(workspaceId: string): Promise<NumberChoice[]>;
  saveLinks(workspaceId: string, installationId: string, writes: readonly ExternalLinkWrite[]): Promise<void>;
  audit(entry: { workspaceId: string; actor: string; action: string; entityType: string; entityId: string; data?: Record<string, unknown> }): Promise<void>;
}

export const INSTALL_PURPOSE = 'zendesk-install';
/** What a connect code for this connector is issued for (`POST /api/v1/zendesk/connect-codes`). */
export const CONNECT_CODE_PURPOSE = 'zendesk';
