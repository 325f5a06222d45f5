import type { LoginAttempts } from '../../core/auth/login-attempts';
import type { PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import type { SalesforceOAuthApp } from './oauth/oauth-app';

/** What the server hands the Salesforce connector's routes: core's services, never core's modules. */
export interface SalesforceRouteDeps extends PlatformRequestDeps {
  /** Where Salesforce, the package's callouts and the admin's browser reach us (PUBLIC_URL), no trailing slash. */
  publicUrl: string;
  production: boolean;
  /** The External Client App; undefined when SALESFORCE_CLIENT_ID/SECRET are not configured (install pages answer 503). */
  app: SalesforceOAuthApp | undefined;
  loginAttempts: LoginAttempts;
  redeemConnectCode(purpose: string, code: string): Promise<string | undefined>;
  /** The workspace this server serves. */
  workspaceId: string;
  /** ms since the epoch: signed callouts' timestamp window (tests move it). */
  now?: () => number;
}

/** What a connect code for this connector is issued for (`POST /api/v1/salesforce/connect-codes`). */
export const CONNECT_CODE_PURPOSE = 'salesforce';
