import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { calloutKeyInPlace } from '../callout-key';
import { loginKindOf, type LoginKind } from './login-hosts';
import type { SalesforceOAuthApp } from './oauth-app';
import { salesforceInstallations } from './salesforce-installations';

export interface SalesforceInstallationStatus {
  id: string;
  orgId: string;
  instanceUrl: string;
  /** undefined when the app (and so the configured login hosts) is not configured. */
  loginKind: LoginKind | undefined;
  state: string;
  /** When the refresh token was last used: the keep-alive keeps this within a week. */
  lastRefreshAt: string;
  /** Set when Salesforce refused the refresh token: the org must be connected again. */
  refreshRefusedAt: string | undefined;
  /** Whether the org's External Credential holds a callout key, asked of the org now; `unknown` with why when it cannot say. */
  calloutKey: { state: 'in_place' | 'missing' } | { state: 'unknown'; reason: string };
}

/** What the admin sees of a workspace's Salesforce orgs: where they log in, whether they need reconnecting, whether replies can reach us. */
export async function salesforceInstallationStatus(deps: { db: Db; secrets: SecretBox; app: SalesforceOAuthApp | undefined }, workspaceId: string): Promise<SalesforceInstallationStatus[]> {
  const installations = await salesforceInstallations(deps, workspaceId);
  return Promise.all(installations.map(async ({ installation, state }): Promise<SalesforceInstallationStatus> => {
    const { credentials } = installation;
    let calloutKey: SalesforceInstallationStatus['calloutKey'] = { state: 'unknown', reason: 'the org must be connected again before Threadline can ask it' };
    if (state === 'active') {
      const inPlace = await calloutKeyInPlace(installation, { app: deps.app });
      calloutKey = inPlace.ok ? { state: inPlace.value ? 'in_place' : 'missing' } : { state: 'unknown', reason: `${inPlace.error.code}: ${inPlace.error.message}` };
    }
    return {
      id: installation.id,
      orgId: installation.config.orgId,
      instanceUrl: credentials.instanceUrl,
      loginKind: deps.app && loginKindOf(deps.app, credentials.loginUrl),
      state,
      lastRefreshAt: credentials.refreshedAt,
      refreshRefusedAt: credentials.refreshRefusedAt,
      calloutKey,
    };
  }));
}
