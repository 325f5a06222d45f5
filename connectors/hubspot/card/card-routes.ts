import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ReplyOutcome, SendFunction } from '../../../core/connectors/contract';
import { isFinalRefusal } from '../../../core/connectors/reply-refusals';
import { readConversationConsent } from '../../../core/conversations/read-consent';
import { readConversation } from '../../../core/conversations/read-conversations';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import type { Logger } from '../../../core/observability/logger';
import { listTemplates } from '../../../core/templates/list-templates';
import { verifiedHubSpotRequest } from '../signatures';
import { cardTemplates, threadView, type CardTemplate } from './card-views';
import { installationOfPortal, type HubSpotInstallation } from './portal-installation';
import { conversationOfRecord, type RecordType } from './record-conversation';

/** Where the card's `hubspot.fetch` calls go (`permittedUrls.fetch` in the app's hsmeta). */
export const CARD_PATH = '/connectors/hubspot/card';

export interface HubSpotCardDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  /** Core's send, injected by the server. */
  send: SendFunction;
  workspaceId: string;
  /** PUBLIC_URL: HubSpot signs the URI it called, which starts with it. */
  publicUrl: string;
  /** HUBSPOT_CLIENT_SECRET: the key of HubSpot's v3 signature. */
  clientSecret: string;
  /** ms since the epoch, for the signature's timestamp window. */
  now?: () => number;
}

const numericId = z.string().regex(/^\d{1,20}$/, 'must be a HubSpot id (digits)');

/** What the card puts in the URL (signed by HubSpot with it, so it cannot be changed on the way). */
const cardQuery = z.object({
  portalId: numericId.transform(Number),
  userId: numericId,
  userEmail: z.email().max(254).optional(),
  objectTypeId: z.enum(['0-1', '0-3'], { error: 'must be 0-1 (contact) or 0-3 (deal): the card shows on contact and deal records' }),
  objectId: numericId,
  appId: numericId.optional(),
});

/** One per click of Send, made by the card: a double click or HubSpot's retry sends once. */
const idempotencyKey = z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be 8 to 128 letters, digits, - or _');
const textSend = z.object({ text: z.string().trim().min(1, 'must not be empty').max(4_096, 'must be at most 4096 characters (WhatsApp\'s limit)'), idempotencyKey });
const templateSend = z.object({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  parameters: z.union([z.array(z.string().max(1_024)).max(100), z.record(z.string().max(64), z.string().max(1_024))]).default([]),
  idempotencyKey,
});

type CardQuery = z.infer<typeof cardQuery>;

function problem(res: Response, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ code, message, ...extra });
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/**
 * The CRM card's backend (issue 5 item 4; the contract is in hs-common.md and the connector README): every
 * request is `hubspot.fetch` signed v3 with the app's client secret; the portal in the signed query names the
 * installation (404 when it has none) and everything read or sent is scoped to it, so a portal never reaches
 * another portal's threads. Sends go through core's `send`, so the window, consent and template policy answer
 * before anything is sent (422 with the templates that fit).
 */
export function hubspotCardRoutes(deps: HubSpotCardDeps): Router {
  const router = Router();
  const signed = verifiedHubSpotRequest({
    clientSecret: deps.clientSecret, publicUrl: deps.publicUrl, accept: ['v3'],
    ...(deps.now === undefined ? {} : { now: deps.now }),
    onRefused: (check) => deps.logger.warn({ reason: check.reason }, 'hubspot card: signature refused'),
  });

  /** The installation and the record's conversation, or an answer already sent. */
  async function context(req: Request, res: Response) {
    const query = cardQuery.safeParse(req.query);
    if (!query.success) return problem(res, 400, 'INVALID_QUERY', `The card's request is missing what names the record: ${issues(query.error)}.`);
    const installation = await installationOfPortal(deps, deps.workspaceId, query.data.portalId);
    if (installation === undefined) {
      return problem(res, 404, 'NOT_INSTALLED', `HubSpot portal ${query.data.portalId} has no active Threadline installation: a HubSpot super admin installs Threadline from the App Marketplace.`);
    }
    const record = { type: (query.data.objectTypeId === '0-1' ? 'contact' : 'deal') as RecordType, id: query.data.objectId };
    const found = await conversationOfRecord(deps.db, installation, record);
    if (!found.ok) {
      if (found.code === 'RECORD_NOT_FOUND') return problem(res, 404, found.code, `${found.message}.`);
      return problem(res, 503, found.code, `${found.message}. Reload the record in a minute.`);
    }
    return { query: query.data, installation, conversationId: found.conversationId };
  }

  router.post(`${CARD_PATH}/thread`, ...signed, async (req, res) => {
    const found = await context(req, res);
    if (!found) return;
    if (found.conversationId === null) return res.status(200).json(threadView(null));
    const workspaceId = found.installation.workspaceId;
    const [conversation, consent] = await Promise.all([readConversation(deps.db, workspaceId, found.conversationId), readConversationConsent(deps.db, workspaceId, found.conversationId)]);
    if (!conversation || !consent) return res.status(200).json(threadView(null));
    const templates = await listTemplates(deps.db, workspaceId, { phoneNumberId: conversation.phone_number_id, status: 'APPROVED' });
    res.status(200).json(threadView({ conversation, consent, templates: templates.ok ? templates.items : [] }));
  });

  /** Sends as the HubSpot user whose card this is, and answers the contract's 200 or refusal. */
  async function sendFromCard(res: Response, found: { query: CardQuery; installation: HubSpotInstallation; conversationId: string | null }, key: string, message: Parameters<SendFunction>[0]['message']) {
    const { query, installation, conversationId } = found;
    if (conversationId === null) {
      return problem(res, 422, 'NO_WHATSAPP_NUMBER', 'Threadline has no WhatsApp conversation with this record\'s contact: they appear here once they write to your WhatsApp number.');
    }
    const outcome = await deps.send({
      to: { conversationId, ...(installation.config.phoneNumberId === undefined ? {} : { phoneNumberId: installation.config.phoneNumberId }) },
      idempotencyKey: `card:${key}`,
      author: { platform: 'hubspot', id: `${query.portalId}:user:${query.userId}`, name: query.userEmail ?? `HubSpot user ${query.userId}` },
      message,
      workspaceId: installation.workspaceId,
      originInstallationId: installation.id,
    });
    if (outcome.ok) return res.status(200).json({ messageId: outcome.messageId });
    deps.logger.info({ code: outcome.code, portalId: query.portalId }, 'hubspot card: not sent');
    const offer = await templateOffer(installation, conversationId, outcome);
    return problem(res, isFinalRefusal(outcome.code) ? 422 : 503, outcome.code, `Not sent to WhatsApp: ${outcome.message}.`, offer === undefined ? {} : { templates: offer });
  }

  /** The templates core suggests instead (WINDOW_CLOSED, TEMPLATE_NOT_APPROVED), in the card's template shape. */
  async function templateOffer(installation: HubSpotInstallation, conversationId: string, outcome: Extract<ReplyOutcome, { ok: false }>): Promise<CardTemplate[] | undefined> {
    const suggested = outcome.details?.templates;
    if (!Array.isArray(suggested)) return undefined;
    const wanted = new Set(suggested.map((t) => (t !== null && typeof t === 'object' && !Array.isArray(t) ? `${String(t.name)}\u0000${String(t.language)}` : '')));
    const conversation = await readConversation(deps.db, installation.workspaceId, conversationId);
    if (!conversation) return [];
    const templates = await listTemplates(deps.db, installation.workspaceId, { phoneNumberId: conversation.phone_number_id, status: 'APPROVED' });
    return templates.ok ? cardTemplates(templates.items.filter((t) => wanted.has(`${t.name}\u0000${t.language}`))) : [];
  }

  router.post(`${CARD_PATH}/send`, ...signed, async (req, res) => {
    const body = textSend.safeParse(req.body);
    if (!body.success) return problem(res, 400, 'INVALID_SEND', `Threadline could not read this message: ${issues(body.error)}.`);
    const found = await context(req, res);
    if (!found) return;
    await sendFromCard(res, found, body.data.idempotencyKey, { type: 'text', text: body.data.text });
  });

  router.post(`${CARD_PATH}/template`, ...signed, async (req, res) => {
    const body = templateSend.safeParse(req.body);
    if (!body.success) return problem(res, 400, 'INVALID_TEMPLATE_SEND', `Threadline could not read this template send: ${issues(body.error)}.`);
    const found = await context(req, res);
    if (!found) return;
    await sendFromCard(res, found, body.data.idempotencyKey, { type: 'template', name: body.data.name, language: body.data.language, parameters: body.data.parameters });
  });

  return router;
}
