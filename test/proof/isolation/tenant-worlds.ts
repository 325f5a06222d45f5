import crypto from 'node:crypto';
import { connectors } from '../../../connectors/index';
import { CONTACT_LINK_TYPE } from '../../../connectors/hubspot/contact-link';
import type { HubSpotOAuthApp } from '../../../connectors/hubspot/oauth/oauth-app';
import { salesforceLinkTypes } from '../../../connectors/salesforce/link-types';
import type { SalesforceOAuthApp } from '../../../connectors/salesforce/oauth/oauth-app';
import { linkTypes } from '../../../connectors/zendesk/map-event-to-resource';
import { installConnector } from '../../../core/connectors/installations';
import { ConnectorRegistry } from '../../../core/connectors/registry';
import { rotateBotSecret } from '../../../core/automation/bot-secret';
import { rotateTriggerSecret } from '../../../core/automation/trigger-secret';
import { startHubSpotFake, type HubSpotFake } from '../../fakes/hubspot/hubspot-fake';
import { startSalesforceFake, type SalesforceFake } from '../../fakes/salesforce/salesforce-fake';
import { useHubSpotEnv } from '../../hubspot/hubspot-world';
import { useSalesforceEnv } from '../../salesforce/salesforce-world';
import { seedTenant, type Tenant } from '../../support/console-seed';
import { startTestRuntime, type TestRuntime } from '../../support/test-runtime';

/** What one tenant holds besides `seedTenant`'s rows: an installation of each platform, with what authenticates as it. */
export interface PlatformTenant extends Tenant {
  zendesk: { installationId: string; subdomain: string; metadataKey: string; csatSecret: string };
  hubspot: { installationId: string; portalId: number; contactId: string };
  salesforce: { installationId: string; orgId: string; userId: string; calloutKey: string };
  /** Ids on the platforms that this tenant's links name (a Zendesk ticket, a Salesforce Contact). */
  ticketId: string;
  recordId: string;
  botSecret: string;
  triggerSecret: string;
}

export interface IsolationWorld {
  rt: TestRuntime;
  /** The runtime's own workspace: the one its admin token, bot and trigger secrets act on. */
  a: PlatformTenant;
  /** Another workspace on the same database, whose ids the requests name. */
  b: PlatformTenant;
  /** The HubSpot app's client secret: HubSpot signs every portal's requests with it. */
  hubspotSecret: string;
  close(): Promise<void>;
}

interface Platforms { hubspot: HubSpotFake; salesforce: SalesforceFake }

const PORTALS = { ALPHA: 7001, BRAVO: 7002 } as const;

async function platformTenant(rt: TestRuntime, platforms: Platforms, registry: ConnectorRegistry, workspaceId: string, marker: 'ALPHA' | 'BRAVO', n: number): Promise<PlatformTenant> {
  const tenant = await seedTenant(rt.db, workspaceId, marker);
  // The number's token sealed as connecting a number seals it, so calls that open it (template sync) get to Meta.
  await rt.db('whatsapp_number').where({ id: tenant.numberId }).update({ access_token_sealed: rt.secrets.seal(`EAAG-${marker}-token`) });
  const deps = { db: rt.db, secrets: rt.secrets, registry };
  const install = async (connector: string, accountId: string, config: unknown, credentials: unknown): Promise<string> => {
    const result = await installConnector(deps, workspaceId, { connector, accountId, config, credentials }, 'test');
    if (!result.ok) throw new Error(`${connector} not installed: ${result.code} ${result.message}`);
    return result.installation.id;
  };
  const key = () => crypto.randomBytes(32).toString('base64url');
  const subdomain = `${marker.toLowerCase()}desk`;
  const metadataKey = key();
  const csatSecret = key();
  // A CSAT template set, so a solved ticket reaches core's send (and its tenant check) rather than stopping at "CSAT off".
  const zendeskId = await install('zendesk', `${subdomain}:push`, {
    subdomain, instancePushId: `${subdomain}-push`, phoneNumberId: tenant.phoneNumberId, csat: { template: 'csat', language: 'en' },
  }, { pushToken: 'push-token', metadataKey, csatWebhook: { webhookId: `w${n}`, triggerId: `t${n}`, signingSecret: csatSecret } });

  // Platform records live in the fakes, each in its own portal/org: naming one from another tenant's portal/org is the platform's not-found.
  const portalId = PORTALS[marker];
  const portal = platforms.hubspot.state.portal(portalId);
  const hubspotContact = portal.create('contacts', { phone: `+1555999${n}000` }, { indexed: true }).id;
  const hubspotId = await install('hubspot', String(portalId), { portalId, grantedScopes: platforms.hubspot.state.app.requiredScopes }, {
    accessToken: platforms.hubspot.state.issueToken(portalId),
    refreshToken: platforms.hubspot.state.oauth.issueRefreshToken({ portalId, userId: portal.userId, scopes: platforms.hubspot.state.app.requiredScopes }).token,
    accessTokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const orgId = [...platforms.salesforce.state.orgs.keys()][n - 1];
  if (orgId === undefined) throw new Error(`the Salesforce fake has no org ${n}`);
  const org = platforms.salesforce.state.org(orgId);
  const contactDef = org.object('Contact');
  const created = contactDef && org.insert(contactDef, { LastName: `${marker} Customer`, MobilePhone: `+1555999${n}000` });
  if (!created || !('id' in created)) throw new Error(`no Salesforce Contact in org ${orgId}`);
  const calloutKey = key();
  const { accessToken, refreshToken } = platforms.salesforce.state.issueTokens(orgId);
  const salesforceId = await install('salesforce', orgId, { orgId, userId: org.userId, namespace: platforms.salesforce.state.namespace ?? '' }, {
    accessToken, refreshToken, instanceUrl: platforms.salesforce.instanceUrlFor(orgId), loginUrl: platforms.salesforce.loginUrl, refreshedAt: new Date().toISOString(), calloutKey,
  });
  // Each tenant's platform ids are its own: the same id in both would hide a leak behind a legitimate match.
  const ticketId = String(900 + n);
  await rt.db('external_link').insert([
    { workspace_id: workspaceId, installation_id: zendeskId, entity_type: 'conversation', entity_id: tenant.conversationId, external_type: linkTypes.ticket, external_id: ticketId },
    { workspace_id: workspaceId, installation_id: zendeskId, entity_type: 'conversation', entity_id: tenant.conversationId, external_type: linkTypes.thread, external_id: `threadline:conversation:${tenant.conversationId}` },
    { workspace_id: workspaceId, installation_id: salesforceId, entity_type: 'contact', entity_id: tenant.contactId, external_type: salesforceLinkTypes.contact, external_id: created.id },
    { workspace_id: workspaceId, installation_id: hubspotId, entity_type: 'contact', entity_id: tenant.contactId, external_type: CONTACT_LINK_TYPE, external_id: hubspotContact },
  ]);
  return {
    ...tenant,
    zendesk: { installationId: zendeskId, subdomain, metadataKey, csatSecret },
    hubspot: { installationId: hubspotId, portalId, contactId: hubspotContact },
    salesforce: { installationId: salesforceId, orgId, userId: org.userId, calloutKey },
    ticketId,
    recordId: created.id,
    botSecret: await rotateBotSecret(rt.db, rt.secrets, { workspaceId, numberId: null }, 'test'),
    triggerSecret: await rotateTriggerSecret(rt.db, rt.secrets, workspaceId, 'test'),
  };
}

/**
 * A runtime with every connector's app configured (so all their routes are served) against the HubSpot and
 * Salesforce fakes, and two workspaces with one of everything, each with a Zendesk account, a HubSpot portal and a
 * Salesforce org installed and linked to its data. Zendesk's and Meta's APIs are not running: a request naming B's
 * ids is refused before any call to them, and one acting on A's own that reaches for them gets a quick 502.
 */
export async function startIsolationWorld(): Promise<IsolationWorld> {
  const hubspot = await startHubSpotFake({ portals: [PORTALS.ALPHA, PORTALS.BRAVO] });
  const salesforce = await startSalesforceFake({ orgs: [{}, {}] });
  // Calls to the platforms read their addresses from the environment (as the sync engine does): pointed at the fakes.
  const restoreHubSpot = useHubSpotEnv(hubspot);
  const restoreSalesforce = useSalesforceEnv(salesforce, 300);
  const stopPlatforms = async () => {
    restoreSalesforce();
    restoreHubSpot();
    await Promise.all([hubspot.stop(), salesforce.stop()]);
  };
  const hubspotApp: HubSpotOAuthApp = {
    clientId: hubspot.state.app.clientId, clientSecret: hubspot.state.app.clientSecret, appId: hubspot.state.app.appId, apiBase: hubspot.apiBase, authBase: hubspot.authBase,
  };
  const salesforceApp: SalesforceOAuthApp = {
    clientId: salesforce.state.app.clientId, clientSecret: salesforce.state.app.clientSecret,
    loginUrl: salesforce.loginUrl, sandboxLoginUrl: salesforce.sandboxLoginUrl, myDomainUrl: salesforce.myDomainUrl('{domain}'),
  };
  let rt: TestRuntime | undefined;
  try {
    rt = await startTestRuntime({
      worker: false,
      config: { zendesk: { clientId: 'isolation-zendesk', clientSecret: 'isolation-zendesk-secret', apiBase: 'http://127.0.0.1:9' }, hubspot: hubspotApp, salesforce: salesforceApp },
    });
    const registry = new ConnectorRegistry(connectors);
    const [other] = await rt.db('workspace').insert({ name: 'Other', slug: 'other-workspace' }).returning('id');
    const a = await platformTenant(rt, { hubspot, salesforce }, registry, rt.workspace.id, 'ALPHA', 1);
    const b = await platformTenant(rt, { hubspot, salesforce }, registry, (other as { id: string }).id, 'BRAVO', 2);
    const running = rt;
    return {
      rt: running, a, b, hubspotSecret: hubspot.state.app.clientSecret,
      close: async () => {
        await running.close();
        await stopPlatforms();
      },
    };
  } catch (err) {
    await rt?.close();
    await stopPlatforms();
    throw err;
  }
}
