import express, { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { OutgoingMessage, ReplyRequest } from '../../../core/connectors/contract';
import { isFinalRefusal } from '../../../core/connectors/reply-refusals';
import { readConversationConsent } from '../../../core/conversations/read-consent';
import { readConversation } from '../../../core/conversations/read-conversations';
import { listTemplates } from '../../../core/templates/list-templates';
import type { SalesforceRouteDeps } from '../route-deps';
import { conversationOfRecord } from './record-conversation';
import { waIdOfRecord } from './record-phone';
import { id18, verifyCallout, type VerifiedCallout } from './signed-callout';
import { calloutStatus, MAX_TEMPLATE_PARAMETERS, threadView } from './thread-view';

/** Where the package's Named Credential points (its URL + `/v1/<path>`). */
export const CALLOUT_PATH = '/connectors/salesforce/api/v1';

export type SalesforceCalloutDeps = SalesforceRouteDeps & {
  /** A signed download link for a message's media (core's MediaUrlSigner); absent: threads carry no media links. */
  mediaUrlFor?: (messageId: string) => string;
};

const recordId = id18('record');
const templateFields = {
  recordId,
  template: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  parameters: z.array(z.string().max(1_024)).max(MAX_TEMPLATE_PARAMETERS, `must be at most ${MAX_TEMPLATE_PARAMETERS} parameters`).default([]),
};
const threadCall = z.object({ recordId });
const messageCall = z.object({ recordId, text: z.string().trim().min(1, 'must not be empty').max(4_096, 'must be at most 4096 characters (WhatsApp\'s limit)') });
const templateCall = z.object(templateFields);
/** `requestId`: the Flow's own key for this send, so a retried interview sends once. */
const flowCall = z.object({ ...templateFields, requestId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1 to 128 letters, digits or . _ : -').optional() });

function problem(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** Core's refusal as the package shows it to a rep or a Flow: what happened, and what to do. */
function refusal(res: Response, code: string, message: string): void {
  if (code === 'WINDOW_CLOSED') return problem(res, 422, code, `Not sent to WhatsApp: ${message}. Send an approved template instead.`);
  if (code === 'CONSENT_REVOKED' || code === 'NO_OPT_IN') return problem(res, 409, 'CONSENT_REQUIRED', `Not sent to WhatsApp: ${message}.`);
  if (code === 'NOT_FOUND') return problem(res, 404, 'NO_CONVERSATION', `Not sent to WhatsApp: ${message}.`);
  return problem(res, isFinalRefusal(code) ? 422 : 503, code, `Not sent to WhatsApp: ${message}.`);
}

const NO_CONVERSATION = 'Threadline has no WhatsApp conversation for this record: it shows on the customer\'s Contact or Lead, their Case or their WhatsApp conversation once they have written to your WhatsApp number';

/**
 * The package's callouts (issue 6 item 5; reference §4.1): the LWC's thread and sends, and the Flow action.
 * Each is signed by the org's key and checked by `verifyCallout` before anything is read; the record is looked up
 * through this installation's links only, so an org reaches its own threads only. Sends go through core's `send`
 * as this installation, so the window, consent and template policy answer before anything is sent.
 */
export function salesforceCalloutRoutes(deps: SalesforceCalloutDeps): Router {
  const router = Router();

  /** Raw body kept for the signature; the verified call's fields parsed with `fields` (400 when they do not fit). */
  function callout<S extends z.ZodType>(fields: S, handle: (call: VerifiedCallout, input: z.output<S>, res: Response) => Promise<void>): RequestHandler[] {
    return [express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const check = await verifyCallout(deps, { orgHeader: req.get('x-threadline-org'), signatureHeader: req.get('x-threadline-signature'), rawBody });
      if (!check.ok) {
        deps.logger.warn({ reason: check.reason }, 'salesforce callout refused');
        return problem(res, 401, check.code, `${check.message}.`);
      }
      const input = fields.safeParse(check.callout.body);
      if (!input.success) {
        return problem(res, 400, 'INVALID_REQUEST', `Threadline could not read this request: ${input.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.`);
      }
      await handle(check.callout, input.data, res);
    }];
  }

  /** Sends as the Salesforce user the callout names; answers `{ messageId, status }` or the refusal. */
  async function sendAs(res: Response, call: VerifiedCallout, to: ReplyRequest['to'], idempotencyKey: string, message: OutgoingMessage): Promise<void> {
    const { installation } = call;
    const outcome = await deps.send({
      to, idempotencyKey, message,
      author: { platform: 'salesforce', id: `${call.org}:user:${call.user}`, name: `Salesforce user ${call.user}` },
      workspaceId: installation.workspaceId,
      originInstallationId: installation.id,
    });
    if (!outcome.ok) {
      deps.logger.info({ code: outcome.code, orgId: call.org }, 'salesforce callout: not sent');
      return refusal(res, outcome.code, outcome.message);
    }
    // A repeated key answers the first send, which may have gone out by now.
    const sent: { status: string } | undefined = await deps.db('message').where({ workspace_id: installation.workspaceId, id: outcome.messageId }).first('status');
    res.status(200).json({ messageId: outcome.messageId, status: calloutStatus(sent?.status ?? 'pending') });
  }

  /** The record's conversation as a send target on the installation's number, or null. */
  async function conversationTarget(call: VerifiedCallout, record: string): Promise<ReplyRequest['to'] | null> {
    const conversationId = await conversationOfRecord(deps.db, call.installation, record);
    if (conversationId === null) return null;
    const { phoneNumberId } = call.installation.config;
    return { conversationId, ...(phoneNumberId === undefined ? {} : { phoneNumberId }) };
  }

  router.post(`${CALLOUT_PATH}/thread`, ...callout(threadCall, async (call, input, res) => {
    const { workspaceId } = call.installation;
    const conversationId = await conversationOfRecord(deps.db, call.installation, input.recordId);
    const [conversation, consent] = conversationId === null
      ? [null, null]
      : await Promise.all([readConversation(deps.db, workspaceId, conversationId), readConversationConsent(deps.db, workspaceId, conversationId)]);
    if (!conversation || !consent) {
      res.status(200).json(threadView(null));
      return;
    }
    const templates = await listTemplates(deps.db, workspaceId, { phoneNumberId: conversation.phone_number_id, status: 'APPROVED' });
    res.status(200).json(threadView({
      conversation, consent, templates: templates.ok ? templates.items : [], ...(deps.mediaUrlFor === undefined ? {} : { mediaUrlFor: deps.mediaUrlFor }),
    }));
  }));

  router.post(`${CALLOUT_PATH}/messages`, ...callout(messageCall, async (call, input, res) => {
    const to = await conversationTarget(call, input.recordId);
    if (to === null) return problem(res, 404, 'NO_CONVERSATION', `${NO_CONVERSATION}.`);
    await sendAs(res, call, to, `salesforce:${call.org}:${call.nonce}`, { type: 'text', text: input.text });
  }));

  router.post(`${CALLOUT_PATH}/templates/send`, ...callout(templateCall, async (call, input, res) => {
    const to = await conversationTarget(call, input.recordId);
    if (to === null) return problem(res, 404, 'NO_CONVERSATION', `${NO_CONVERSATION}; a template to a new customer is sent by the Flow action.`);
    await sendAs(res, call, to, `salesforce:${call.org}:${call.nonce}`, { type: 'template', name: input.template, language: input.language, parameters: input.parameters });
  }));

  router.post(`${CALLOUT_PATH}/flow/send-template`, ...callout(flowCall, async (call, input, res) => {
    const key = input.requestId === undefined ? `salesforce:${call.org}:${call.nonce}` : `salesforce:${call.org}:flow:${input.requestId}`;
    const message: OutgoingMessage = { type: 'template', name: input.template, language: input.language, parameters: input.parameters };
    const to = await conversationTarget(call, input.recordId) ?? await customerTarget(res, call, input.recordId);
    if (to !== null) await sendAs(res, call, to, key, message);
  }));

  /**
   * A Contact or Lead no conversation is linked to yet: their WhatsApp number from Salesforce, on the installation's
   * number (or the workspace's only one). Null when it already answered why not.
   */
  async function customerTarget(res: Response, call: VerifiedCallout, record: string): Promise<ReplyRequest['to'] | null> {
    const found = await waIdOfRecord(call.installation, record, deps.app === undefined ? {} : { app: deps.app });
    if (!found.ok) {
      const status = { NOT_A_CUSTOMER: 404, RECORD_NOT_FOUND: 404, NO_PHONE: 422, SALESFORCE_UNAVAILABLE: 503 }[found.code];
      problem(res, status, found.code === 'NOT_A_CUSTOMER' ? 'NO_CONVERSATION' : found.code, `${found.message}.`);
      return null;
    }
    const phoneNumberId = call.installation.config.phoneNumberId ?? await onlyNumber(call.installation.workspaceId);
    if (phoneNumberId === undefined) {
      problem(res, 422, 'NUMBER_NOT_CHOSEN', 'This org serves every WhatsApp number of the workspace, so Threadline cannot choose which one writes to a new customer: an admin sets the number in the Salesforce installation\'s settings (phoneNumberId).');
      return null;
    }
    return { waId: found.waId, phoneNumberId };
  }

  async function onlyNumber(workspaceId: string): Promise<string | undefined> {
    const numbers: { phone_number_id: string }[] = await deps.db('whatsapp_number').where({ workspace_id: workspaceId }).limit(2).select('phone_number_id');
    return numbers.length === 1 ? numbers[0]?.phone_number_id : undefined;
  }

  return router;
}
