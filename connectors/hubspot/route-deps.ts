import type { LoginAttempts } from '../../core/auth/login-attempts';
import type { PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import type { HubSpotOAuthApp } from './oauth/oauth-app';

/** What the server hands the HubSpot connector's routes: core's services, never core's modules. */
export interface HubSpotRouteDeps extends PlatformRequestDeps {
  /** Where HubSpot and the admin's browser reach us (PUBLIC_URL), no trailing slash: signatures cover it. */
  publicUrl: string;
  production: boolean;
  /** The public app; undefined when HUBSPOT_CLIENT_ID/SECRET are not configured (every route answers 503). */
  app: HubSpotOAuthApp | undefined;
  loginAttempts: LoginAttempts;
  redeemConnectCode(purpose: string, code: string): Promise<string | undefined>;
}

/** What a connect code for this connector is issued for (`POST /api/v1/hubspot/connect-codes`). */
export const CONNECT_CODE_PURPOSE = 'hubspot';
