import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ReplyRequest, SendFunction } from '../../../core/connectors/contract';
import { isFinalRefusal } from '../../../core/connectors/reply-refusals';
import type { SecretBox } from '../../../core/crypto/secret-box';
import type { Db } from '../../../core/db/connect';
import { listNumbers } from '../../../core/numbers/register-number';
import type { Logger } from '../../../core/observability/logger';
import { saveLinks } from '../../../core/sync/external-links';
import { installationOfPortal, type HubSpotInstallation } from '../card/portal-installation';
import { conversationOfRecord, type RecordType } from '../card/record-conversation';
import { verifiedHubSpotRequest } from '../signatures';
import { WORKFLOW_CALLBACK_LINK } from './complete-callbacks';
import { waIdOfContact } from './contact-wa-id';

/** The action's `actionUrl` (workflow-actions hsmeta). */
export const WORKFLOW_SEND_PATH = '/connectors/hubspot/workflow/send';

/** Positional body parameters the action takes, `parameter_1` … (input fields are single strings in HubSpot). */
export const MAX_TEMPLATE_PARAMETERS = 10;

/** What the action's definition (workflow-actions hsmeta) must declare: the names this backend reads and answers. */
export const WORKFLOW_FIELDS = {
  inputs: ['template_name', 'language', ...Array.from({ length: MAX_TEMPLATE_PARAMETERS }, (_, i) => `parameter_${i + 1}`)],
  outputs: ['message_id', 'status', 'error_code', 'error'],
} as const;

export interface HubSpotWorkflowDeps {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  send: SendFunction;
  workspaceId: string;
  /** PUBLIC_URL: HubSpot signs the URI it called, which starts with it. */
  publicUrl: string;
  /** HUBSPOT_CLIENT_SECRET: the key of HubSpot's v2 signature. */
  clientSecret: string;
}

const parameterFields = Object.fromEntries(Array.from({ length: MAX_TEMPLATE_PARAMETERS }, (_, i) => [`parameter_${i + 1}`, z.string().max(1_024).optional()]));

/** An execution request (§6.4). Only what we use is checked; HubSpot adds fields over time. */
const execution = z.object({
  callbackId: z.string().min(1).max(256),
  origin: z.looseObject({ portalId: z.number().int().positive() }),
  object: z.looseObject({ objectId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,20}$/)]).transform(String), objectType: z.string().min(1) }),
  inputFields: z.looseObject({ template_name: z.string().min(1).max(512), language: z.string().min(2).max(15), ...parameterFields }),
});

const RECORD_TYPES: Readonly<Record<string, RecordType>> = { CONTACT: 'contact', DEAL: 'deal' };

/** `parameter_1`, `parameter_2` … up to the first one left empty: a template's placeholders are numbered without gaps. */
function parametersOf(inputFields: Record<string, unknown>): string[] {
  const values: string[] = [];
  for (let i = 1; i <= MAX_TEMPLATE_PARAMETERS; i += 1) {
    const value = inputFields[`parameter_${i}`];
    if (typeof value !== 'string' || value === '') break;
    values.push(value);
  }
  return values;
}

/** The action ends here, without waiting for Meta: HubSpot shows `error` in the workflow's history. */
function failContinue(res: Response, code: string, error: string): void {
  res.status(200).json({ outputFields: { hs_execution_state: 'FAIL_CONTINUE', status: 'refused', error_code: code, error } });
}

/**
 * The "Send WhatsApp template" workflow action (issue 5 item 5): HubSpot POSTs an execution signed v2; the
 * template goes to the enrolled record's contact through core's `send`, keyed by the callback id so a retried
 * execution sends once. The answer is `BLOCK`: the execution waits until Meta settles the message and
 * `completeWorkflowCallbacks` (called from the timeline's deliver) completes it with the message id and status.
 * A contact nobody wrote from yet gets the template too: it starts the conversation (`newCustomerTarget`).
 * A send refused at once (window, consent, template, no usable phone) ends it now with `FAIL_CONTINUE`.
 */
export function hubspotWorkflowRoutes(deps: HubSpotWorkflowDeps): Router {
  const router = Router();
  const signed = verifiedHubSpotRequest({
    clientSecret: deps.clientSecret, publicUrl: deps.publicUrl, accept: ['v2'],
    onRefused: (check) => deps.logger.warn({ reason: check.reason }, 'hubspot workflow action: signature refused'),
  });

  router.post(WORKFLOW_SEND_PATH, ...signed, async (req, res) => {
    const body = execution.safeParse(req.body);
    if (!body.success) {
      return res.status(400).json({ code: 'INVALID_EXECUTION', message: `Threadline could not read this workflow action: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.` });
    }
    const { callbackId, origin, object, inputFields } = body.data;
    const installation = await installationOfPortal(deps, deps.workspaceId, origin.portalId);
    if (installation === undefined) {
      return res.status(404).json({ code: 'NOT_INSTALLED', message: `HubSpot portal ${origin.portalId} has no active Threadline installation: a HubSpot super admin installs Threadline from the App Marketplace.` });
    }
    const type = RECORD_TYPES[object.objectType.toUpperCase()];
    if (type === undefined) return failContinue(res, 'UNSUPPORTED_OBJECT', `The action runs on contacts and deals, not on ${object.objectType} records.`);
    const found = await conversationOfRecord(deps.db, installation, { type, id: object.objectId });
    // HubSpot retries a 5xx (§6.4 [U]); the callback id keeps the retry from sending twice.
    if (!found.ok && found.code === 'HUBSPOT_UNAVAILABLE') return res.status(503).json({ code: found.code, message: found.message });
    if (!found.ok) return failContinue(res, found.code, `${found.message}.`);
    const { phoneNumberId } = installation.config;
    const target = found.conversationId === null
      ? await newCustomerTarget(deps, installation, { type, id: object.objectId })
      : { ok: true as const, to: { conversationId: found.conversationId, ...(phoneNumberId === undefined ? {} : { phoneNumberId }) } };
    if (!target.ok && target.code === 'HUBSPOT_UNAVAILABLE') return res.status(503).json({ code: target.code, message: target.message });
    if (!target.ok) return failContinue(res, target.code, `${target.message}.`);
    const outcome = await deps.send({
      to: target.to,
      idempotencyKey: `workflow:${callbackId}`,
      author: { platform: 'hubspot', id: `${origin.portalId}:workflow`, name: 'HubSpot workflow' },
      message: { type: 'template', name: inputFields.template_name, language: inputFields.language, parameters: parametersOf(inputFields) },
      workspaceId: installation.workspaceId,
      originInstallationId: installation.id,
    });
    if (!outcome.ok) {
      deps.logger.info({ code: outcome.code, portalId: origin.portalId }, 'hubspot workflow action: not sent');
      if (isFinalRefusal(outcome.code)) return failContinue(res, outcome.code, `Not sent to WhatsApp: ${outcome.message}.`);
      return res.status(503).json({ code: outcome.code, message: `Not sent to WhatsApp yet: ${outcome.message}.` });
    }
    await saveLinks(deps.db, installation.workspaceId, installation.id, [{ entityType: 'message', entityId: outcome.messageId, externalType: WORKFLOW_CALLBACK_LINK, externalId: callbackId }]);
    res.status(200).json({ outputFields: { hs_execution_state: 'BLOCK', message_id: outcome.messageId } });
  });

  return router;
}

type SendTarget = { ok: true; to: ReplyRequest['to'] } | { ok: false; code: string; message: string };

/**
 * A contact Threadline has no conversation with: the template starts one (core creates it with the send), to the
 * contact's number with its country code, from the installation's WhatsApp number or else the workspace's only one.
 * A deal has no single customer to start with, so it needs a contact who has written (or runs the action on one).
 */
async function newCustomerTarget(deps: HubSpotWorkflowDeps, installation: HubSpotInstallation, record: { type: RecordType; id: string }): Promise<SendTarget> {
  if (record.type === 'deal') {
    return { ok: false, code: 'NO_WHATSAPP_NUMBER', message: 'None of this deal\'s contacts has a WhatsApp conversation with Threadline: run the action on a contact with a phone number to start one' };
  }
  const found = await waIdOfContact(installation, record.id);
  if (!found.ok) return found;
  const phoneNumberId = installation.config.phoneNumberId ?? await onlyNumberOf(deps.db, installation.workspaceId);
  if (phoneNumberId === undefined) {
    return {
      ok: false,
      code: 'NUMBER_NOT_CHOSEN',
      message: 'This HubSpot installation serves every WhatsApp number of the workspace, so Threadline cannot choose which one writes to a new customer: an admin sets the installation\'s phoneNumberId (PATCH /api/v1/installations/{id})',
    };
  }
  return { ok: true, to: { waId: found.waId, phoneNumberId } };
}

async function onlyNumberOf(db: Db, workspaceId: string): Promise<string | undefined> {
  const numbers = await listNumbers(db, workspaceId);
  return numbers.length === 1 ? numbers[0]?.phone_number_id : undefined;
}
