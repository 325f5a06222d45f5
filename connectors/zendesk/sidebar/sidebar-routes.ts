import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SendFunction } from '../../../core/connectors/contract';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import type { Logger } from '../../../core/observability/logger';
import { agentFacingFailure } from '../agent-answers';
import { accountBaseUrl, type ZendeskClientConfig } from '../client';
import { linkTypes } from '../map-event-to-resource';
import { zendeskInstallationsOf } from '../install/zendesk-installation';
import { hasRestToken } from '../rest-token';
import { AppPublicKeys } from './app-public-key';
import { APP_DIR, PAGE_ASSETS, problemPage, sidebarPage } from './sidebar-page';
import { ticketView, templatesView, type SidebarReads } from './sidebar-views';
import { issueSessionToken, verifySessionToken, type SidebarSession } from './session-token';
import { claimedSubdomain, verifyZafJwt } from './zaf-jwt';
import { refuseInvalidUtf8 } from '../../../core/db/storable-text';

/** The ticket_sidebar location's URL (manifest.json): Zendesk POSTs the signed page load here. */
export const SIDEBAR_PATH = '/connectors/zendesk/sidebar';

export interface ZendeskSidebarDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  send: SendFunction;
  workspaceId: string;
  /** Signs the page's session tokens: at least 32 random bytes, kept by the server. */
  sessionKey: Buffer;
  /** ZENDESK_API_BASE (tests, proxies). */
  apiBase?: string;
  /** ZENDESK_APP_ID (the app's id, to fetch its public key) and/or ZENDESK_APP_PUBLIC_KEY. */
  app: { id?: string; publicKeyPem?: string };
  /** The global OAuth client that refreshes an account's REST token; read from the environment when absent. */
  oauth?: ZendeskClientConfig;
  /** Core's reads (conversation, consent, templates, ticket links), bound to the database by the server. */
  reads: SidebarReads;
  now?: () => Date;
}

const pageLoad = z.object({ token: z.string().min(1).max(8_192) });
const ticketParams = z.object({ ticketId: z.string().regex(/^\d{1,20}$/, 'must be a Zendesk ticket id') });
const templatesQuery = z.object({ language: z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$/).optional() });
const templateSend = z.object({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  parameters: z.union([z.array(z.string().max(1_024)).max(100), z.record(z.string().max(64), z.string().max(1_024))]),
  /** One per click of Send, from the page: a double click or a retried request sends once. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/),
});

/** The page is framed by Zendesk only; it loads the ZAF SDK from Zendesk's CDN and talks only to us. */
const PAGE_CSP = [
  "default-src 'none'", "script-src 'self' https://static.zdassets.com", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", 'frame-ancestors https://*.zendesk.com', "base-uri 'none'", "form-action 'none'",
].join('; ');

function problem(res: Response, status: number, code: string, error: string): void {
  res.status(status).json({ error, code });
}

type SessionRequest = Request & { session?: SidebarSession };

/**
 * The ticket sidebar's backend (issue 4 item 5): the signed page load (ZAF JWT, §2.4) becomes a page with
 * our own session token, which the page's script sends as a Bearer token to read the ticket's WhatsApp
 * state and templates and to send a template. A ticket is found only through the account's installations'
 * ticket links: another account's ticket, or one that is not a WhatsApp conversation, is 404.
 */
export function zendeskSidebarRoutes(deps: ZendeskSidebarDeps): Router {
  if (deps.sessionKey.length < 32) throw new Error('The sidebar session key must be at least 32 bytes');
  const now = deps.now ?? (() => new Date());
  const accountBase = (subdomain: string) => accountBaseUrl(deps.apiBase, subdomain);
  const keys = new AppPublicKeys({ appId: deps.app.id, configuredPem: deps.app.publicKeyPem });
  const tokenOptions = { ...(deps.oauth === undefined ? {} : { oauth: deps.oauth }), now: () => now().getTime() };
  const renderPage = sidebarPage();
  const router = Router();

  router.post(SIDEBAR_PATH, express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    res.removeHeader('X-Frame-Options');
    res.set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=utf-8' });
    const refuse = (status: number, message: string) => res.status(status).send(problemPage(message));
    const form = pageLoad.safeParse(req.body);
    if (!form.success) return refuse(401, 'This page opens only inside Zendesk, as the Threadline app (no signed token was posted).');
    const subdomain = claimedSubdomain(form.data.token);
    if (subdomain === undefined) return refuse(401, 'Zendesk\'s token for this app could not be read: reload the ticket.');
    const installations = await zendeskInstallationsOf(deps, subdomain, { workspaceId: deps.workspaceId });
    if (installations.length === 0) return refuse(403, `The Zendesk account ${subdomain} has no active Threadline WhatsApp integration: an admin installs it from the Threadline app's settings.`);
    const key = await keys.forAccount(accountBase(subdomain), installations.find(hasRestToken), now(), tokenOptions);
    if (!key.ok) {
      deps.logger.warn({ subdomain, reason: key.message }, 'zendesk sidebar: no app public key');
      return refuse(503, `Threadline cannot check this app's signature right now: ${key.message}. Try again in a minute; if it persists, tell your Threadline admin.`);
    }
    const verified = verifyZafJwt(form.data.token, key.pem, accountBase, now());
    if (!verified.ok) {
      deps.logger.warn({ subdomain, reason: verified.reason }, 'zendesk sidebar: ZAF JWT refused');
      return refuse(401, `Zendesk's token for this app was refused (${verified.reason}): reload the ticket.`);
    }
    const session = issueSessionToken(deps.sessionKey, {
      workspaceId: deps.workspaceId, subdomain, installationIds: installations.map((i) => i.id), agentId: verified.identity.agentId,
    }, now());
    res.status(200).send(renderPage(session));
  });

  router.get(`${SIDEBAR_PATH}/assets/:file`, (req: Request<{ file: string }>, res) => {
    const type = PAGE_ASSETS[req.params.file];
    if (type === undefined) return problem(res, 404, 'NOT_FOUND', 'No such asset');
    res.set({ 'Content-Type': type, 'Cache-Control': 'public, max-age=300' });
    res.status(200).send(fs.readFileSync(path.join(APP_DIR, 'assets', req.params.file)));
  });

  const api = Router();
  api.use((req: SessionRequest, res: Response, next: NextFunction) => {
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    const checked = token === undefined ? undefined : verifySessionToken(deps.sessionKey, token, now());
    if (!checked?.ok) {
      return problem(res, 401, 'SESSION_INVALID', checked?.reason === 'expired'
        ? 'Your Threadline session expired: reload the app (or reopen the ticket).'
        : 'This request is not signed by the Threadline app: reload the app (or reopen the ticket).');
    }
    req.session = checked.session;
    next();
  });

  /** The ticket's conversation, if it is one of this session's account's WhatsApp tickets. */
  async function ticketConversation(req: SessionRequest, res: Response) {
    const params = ticketParams.safeParse(req.params);
    if (!params.success) {
      problem(res, 400, 'INVALID_TICKET', 'The ticket id must be a Zendesk ticket number.');
      return null;
    }
    const session = req.session as SidebarSession;
    const found = await deps.reads.findLinkedEntity(session.workspaceId, session.installationIds, {
      entityType: 'conversation', externalType: linkTypes.ticket, externalId: params.data.ticketId,
    });
    if (!found) {
      problem(res, 404, 'NOT_A_WHATSAPP_TICKET', 'This ticket is not a WhatsApp conversation synced by Threadline.');
      return null;
    }
    return { conversationId: found.entityId, installationId: found.installationId, session };
  }

  api.get('/tickets/:ticketId', async (req: SessionRequest, res) => {
    const found = await ticketConversation(req, res);
    if (!found) return;
    const [conversation, consent] = await Promise.all([
      deps.reads.readConversation(found.session.workspaceId, found.conversationId), deps.reads.readConsent(found.session.workspaceId, found.conversationId),
    ]);
    if (!conversation || !consent) return problem(res, 404, 'NOT_A_WHATSAPP_TICKET', 'This ticket\'s WhatsApp conversation no longer exists in Threadline.');
    res.status(200).json(ticketView(conversation, consent, now()));
  });

  api.get('/tickets/:ticketId/templates', async (req: SessionRequest, res) => {
    const query = templatesQuery.safeParse(req.query);
    if (!query.success) return problem(res, 400, 'INVALID_LANGUAGE', 'language must be a locale such as en-US.');
    const found = await ticketConversation(req, res);
    if (!found) return;
    const conversation = await deps.reads.readConversation(found.session.workspaceId, found.conversationId);
    if (!conversation) return problem(res, 404, 'NOT_A_WHATSAPP_TICKET', 'This ticket\'s WhatsApp conversation no longer exists in Threadline.');
    const templates = await deps.reads.listTemplates(found.session.workspaceId, { phoneNumberId: conversation.phone_number_id, status: 'APPROVED' });
    if (!templates.ok) return problem(res, 409, templates.code, `The WhatsApp number of this conversation is not connected to Threadline any more: ${templates.message}.`);
    res.status(200).json(templatesView(templates.items, query.data.language));
  });

  api.post('/tickets/:ticketId/template', express.json({ limit: '64kb', verify: refuseInvalidUtf8 }), async (req: SessionRequest, res) => {
    const body = templateSend.safeParse(req.body);
    if (!body.success) return problem(res, 400, 'INVALID_TEMPLATE_SEND', `Threadline could not read this send: ${body.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.`);
    const found = await ticketConversation(req, res);
    if (!found) return;
    const { session } = found;
    const outcome = await deps.send({
      to: { conversationId: found.conversationId },
      idempotencyKey: `zendesk:sidebar:${session.subdomain}:${body.data.idempotencyKey}`,
      author: { platform: 'zendesk', id: `${session.subdomain}:user:${session.agentId}`, name: `Zendesk agent ${session.agentId} (${session.subdomain})` },
      message: { type: 'template', name: body.data.name, language: body.data.language, parameters: body.data.parameters },
      workspaceId: session.workspaceId,
      originInstallationId: found.installationId,
    });
    if (!outcome.ok) {
      const failure = agentFacingFailure(outcome);
      deps.logger.info({ code: outcome.code, status: failure.status }, 'zendesk sidebar: template not sent');
      return res.status(failure.status).json(failure.body);
    }
    res.status(202).json({ messageId: outcome.messageId, status: 'queued' });
  });

  router.use(`${SIDEBAR_PATH}/api`, api);
  return router;
}
