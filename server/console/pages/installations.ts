import { Router, type Response } from 'express';
import { z } from 'zod';
import { CONNECT_CODE_PURPOSE as HUBSPOT_PURPOSE } from '../../../connectors/hubspot/routes';
import { INSTALL_PATH as HUBSPOT_INSTALL_PATH } from '../../../connectors/hubspot/oauth/install-routes';
import { CONNECT_CODE_PURPOSE as SALESFORCE_PURPOSE } from '../../../connectors/salesforce/routes';
import { INSTALL_PATH as SALESFORCE_INSTALL_PATH } from '../../../connectors/salesforce/oauth/install-routes';
import { CONNECT_CODE_PURPOSE as ZENDESK_PURPOSE } from '../../../connectors/zendesk/routes';
import { issueConnectCode, type IssuedConnectCode } from '../../../core/auth/connect-codes';
import { REINSTALL_REQUIRED } from '../../../core/connectors/installations';
import { listInstallationOverview, type InstallationOverview } from '../../../core/sync/installation-overview';
import { disconnectInstallation } from '../../routes/connector-wiring';
import { badge, dataTable, timeTag } from '../components';
import type { ConsoleDeps } from '../console-deps';
import { redirectWithNotice } from '../console-router';
import { html, type Html } from '../html';
import { consoleLocals, csrfField, sendConsolePage } from '../layout';

const PATH = '/admin/installations';

/**
 * How each platform is connected (again): all three prove the workspace with a connect code. HubSpot and Salesforce
 * install from Threadline's own page (OAuth); Zendesk from its Admin Center, where the admin types the code.
 */
const PLATFORMS = [
  { purpose: ZENDESK_PURPOSE, name: 'Zendesk', installPath: undefined,
    how: 'In Zendesk Admin Center, add a WhatsApp (Threadline) integration account and type the connect code when Threadline asks for it. To reconnect an account, open it there again: that needs no code.' },
  { purpose: HUBSPOT_PURPOSE, name: 'HubSpot', installPath: HUBSPOT_INSTALL_PATH,
    how: 'Open the HubSpot install page, type the connect code, then approve Threadline in the portal you want to connect.' },
  { purpose: SALESFORCE_PURPOSE, name: 'Salesforce', installPath: SALESFORCE_INSTALL_PATH,
    how: 'Open the Salesforce install page, type the connect code, pick where the org logs in, then allow Threadline in the org.' },
] as const;

const platformOf = (connector: string) => PLATFORMS.find((p) => p.purpose === connector);
const codeForm = z.object({ platform: z.enum(PLATFORMS.map((p) => p.purpose)) });
const idParams = z.object({ id: z.uuid() });
const servedNumber = z.looseObject({ phoneNumberId: z.string().optional() }).catch({});

function stateCell(i: InstallationOverview): Html {
  if (i.state === 'active') return badge('active', 'ok');
  if (i.state === REINSTALL_REQUIRED) return html`${badge('reinstall required', 'error')}${i.reinstallReason ? html`<br><small>${i.reinstallReason}</small>` : ''}`;
  return badge(i.state === 'uninstalled' ? 'disconnected' : i.state);
}

/** What Threadline knows of the token without calling the platform: a refused refresh is the only proof it is bad. */
function tokenCell(i: InstallationOverview): Html {
  if (i.state === 'active') return html`<span>valid</span> <small class="muted">(no refusal seen)</small>`;
  if (i.state === REINSTALL_REQUIRED) return html`<span>refused by the platform</span>`;
  return html`<span class="muted">none kept</span>`;
}

function syncCell(i: InstallationOverview): Html {
  const paused = i.pausedUntil && i.pausedUntil > new Date() ? html`<br><small>paused until ${timeTag(i.pausedUntil)}</small>` : '';
  return html`${timeTag(i.lastSyncAt)}${paused}`;
}

function actionsCell(res: Response, i: InstallationOverview): Html {
  const platform = platformOf(i.connector);
  const reconnect = platform?.installPath
    ? html`<a href="${platform.installPath}">Reconnect<span class="visually-hidden"> ${platform.name} ${i.account_id}</span></a>`
    : platform ? html`<a href="#connect-${platform.purpose}">Reconnect<span class="visually-hidden"> ${platform.name} ${i.account_id}</span></a>` : '';
  const disconnect = i.state !== 'uninstalled' && consoleLocals(res).session.role === 'admin'
    ? html` · <a href="${PATH}/${i.id}/disconnect">Disconnect<span class="visually-hidden"> ${platform?.name ?? i.connector} ${i.account_id}</span></a>` : '';
  return html`${reconnect}${disconnect}`;
}

function installLink(platform: (typeof PLATFORMS)[number]): Html {
  return platform.installPath ? html`<a class="button secondary" href="${platform.installPath}">Open the ${platform.name} install page</a>` : html``;
}

function connectSection(res: Response, issued: IssuedConnectCode | undefined): Html {
  const { session } = consoleLocals(res);
  return html`<h2 id="connect-heading">Connect or reconnect a platform</h2>
<p>A connect code proves, on the platform's side, that you own this Threadline workspace. It works once, for 15 minutes.</p>
${session.role === 'admin' ? '' : html`<p class="notice notice-error">You are signed in as a viewer: creating connect codes and disconnecting need an admin of this workspace.</p>`}
${PLATFORMS.map((p) => html`<section id="connect-${p.purpose}" aria-labelledby="connect-${p.purpose}-heading">
<h3 id="connect-${p.purpose}-heading">${p.name}</h3>
<p>${p.how}</p>
${issued?.purpose === p.purpose ? html`<p class="notice" role="status">Connect code for ${p.name}: <strong><code>${issued.code}</code></strong> (until ${timeTag(issued.expiresAt)}). It is shown only this once.</p>` : ''}
${session.role === 'admin'
    ? html`<form class="inline" method="post" action="${PATH}/connect-codes">${csrfField(session)}<input type="hidden" name="platform" value="${p.purpose}"><button type="submit">Create ${p.name} connect code</button>${installLink(p)}</form>`
    : html`<p>${installLink(p)}</p>`}
</section>`)}`;
}

/** The platform's name, also for an installation of a connector this build no longer registers. */
const nameOf = (deps: ConsoleDeps, connector: string) => deps.registry.get(connector)?.displayName ?? platformOf(connector)?.name ?? connector;

async function overviewPage(deps: ConsoleDeps, res: Response, issued?: IssuedConnectCode): Promise<void> {
  const ws = consoleLocals(res).session.workspaceId;
  const installations = await listInstallationOverview(deps.db, ws);
  sendConsolePage(res, {
    title: 'Installations', section: 'installations', status: issued ? 201 : 200,
    body: html`<p>Each Zendesk account, HubSpot portal and Salesforce org connected to this workspace, and how its sync is doing.</p>
${dataTable({
      caption: 'Connected platform accounts',
      rows: installations,
      empty: 'No platform is connected yet: create a connect code below to connect one.',
      columns: [
        { label: 'Platform', cell: (i) => html`<strong>${nameOf(deps, i.connector)}</strong><br><small>${i.account_id}</small>` },
        { label: 'Serves', cell: (i) => servedNumber.parse(i.settings).phoneNumberId ?? html`<span class="muted">every number</span>` },
        { label: 'State', cell: stateCell },
        { label: 'Token', cell: tokenCell },
        { label: 'Last sync', cell: syncCell },
        { label: 'Last error', cell: (i) => i.lastError ?? html`<span class="muted">none</span>` },
        { label: 'Waiting', numeric: true, cell: (i) => i.pending },
        { label: 'Dead letters', numeric: true, cell: (i) => (i.dead ? html`<a href="/admin/dead-letters">${i.dead}</a>` : 0) },
        { label: 'Actions', cell: (i) => actionsCell(res, i) },
      ],
    })}
${connectSection(res, issued)}`,
  });
}

/** What disconnecting does on each platform, said before the admin confirms. */
function consequence(connector: string): string {
  if (connector === HUBSPOT_PURPOSE) return 'HubSpot is told to uninstall the Threadline app from the portal, then the portal stops receiving WhatsApp activity.';
  if (connector === SALESFORCE_PURPOSE) return "Threadline's access to the org is revoked in Salesforce, then the org stops receiving WhatsApp records.";
  return 'The account stops receiving WhatsApp conversations; remove the integration in the platform too.';
}

/**
 * Installations (issue 8 item 3): every connected platform account with its state, token, last sync, errors and
 * queue, connect codes to (re)connect, and disconnect after a confirmation (admins only).
 */
export function installationsPage(deps: ConsoleDeps): Router {
  const router = Router();
  router.get(PATH, async (_req, res) => overviewPage(deps, res));

  // Rendered, not redirected: the code is a one-time secret, so it is shown once and never stored for a later page.
  router.post(`${PATH}/connect-codes`, async (req, res) => {
    const form = codeForm.safeParse(req.body);
    if (!form.success) {
      await redirectWithNotice(deps.db, res, PATH, { kind: 'error', text: 'Pick Zendesk, HubSpot or Salesforce to create a connect code for.' });
      return;
    }
    await overviewPage(deps, res, await issueConnectCode(deps.db, consoleLocals(res).session.workspaceId, form.data.platform));
  });

  router.get(`${PATH}/:id/disconnect`, async (req, res, next) => {
    const { session } = consoleLocals(res);
    const params = idParams.safeParse(req.params);
    const installation = params.success ? (await listInstallationOverview(deps.db, session.workspaceId)).find((i) => i.id === params.data.id && i.state !== 'uninstalled') : undefined;
    if (!installation) return next();
    const name = `${nameOf(deps, installation.connector)} ${installation.account_id}`;
    sendConsolePage(res, {
      title: `Disconnect ${name}?`, section: 'installations',
      body: html`<p>${consequence(installation.connector)}</p>
<p>${installation.pending ? `${installation.pending} sync event${installation.pending === 1 ? '' : 's'} still waiting for it will be cancelled. ` : ''}Its links to records stay, so connecting it again picks up where it was.</p>
${session.role === 'admin'
    ? html`<form class="inline" method="post" action="${PATH}/${installation.id}/disconnect">${csrfField(session)}<button type="submit" class="danger">Disconnect ${name}</button> <a href="${PATH}">Cancel</a></form>`
    : html`<p class="notice notice-error">Viewers can look but not change anything: ask an admin of this workspace to disconnect it.</p><p><a href="${PATH}">Back to installations</a></p>`}`,
    });
  });

  router.post(`${PATH}/:id/disconnect`, async (req, res, next) => {
    const { session } = consoleLocals(res);
    const params = idParams.safeParse(req.params);
    if (!params.success) return next();
    const result = await disconnectInstallation(deps, session.workspaceId, params.data.id, session.actor);
    if (!result.ok && result.code === 'NOT_FOUND') return next();
    const name = result.ok ? `${nameOf(deps, result.connector)} ${result.accountId}` : '';
    await redirectWithNotice(deps.db, res, PATH, result.ok
      ? { kind: 'success', text: `Disconnected ${name}. ${result.platformNote}` }
      : { kind: 'error', text: `Not disconnected: ${result.message}` });
  });
  return router;
}
