import type { Knex } from 'knex';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import { waIdSchema } from '../engine/start-conversation';
import type { SendErrorCode } from '../send/send-error';
import { internationalForm } from '../whatsapp/phone-number';
import { valueAtPointer } from './json-pointer';
import { currentRules } from './rules';
import { checkTriggerSignature, loadTriggerSecret } from './trigger-secret';
import { refusalJson, sendTriggerTemplate, type FollowUp, type TriggerRequestRow } from './trigger-send';
import { scheduleFollowUp, scheduleTriggerSend } from './trigger-jobs';
import type { RuleDefinition } from './rule-kinds';
import type { TriggerDefinition } from './trigger-rules';

export interface TriggerCall {
  workspaceId: string;
  name: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  idempotencyKey: string | undefined;
}

/** The HTTP answer: 202 `{ messageId, status }`, or `{ error: { code, message, hint? } }`. */
export interface TriggerAnswer {
  status: number;
  body: Record<string, unknown>;
}

const refuse = (status: number, code: string, message: string, hint?: string): TriggerAnswer => ({ status, body: { error: { code, message, ...(hint ? { hint } : {}) } } });

/** 409 as the admin API answers them: the message may not go to this contact now; else 422: the trigger's data is wrong. */
const statusOfRefusal: Partial<Record<SendErrorCode, number>> = {
  CONSENT_REVOKED: 409, NO_OPT_IN: 409, FREQUENCY_CAPPED: 409, NUMBER_NEEDS_ATTENTION: 409,
};

const idempotencyKey = z.string().min(1).max(200);
const payloadSchema = z.record(z.string(), z.unknown());

/**
 * `POST /api/v1/triggers/:name` (issue 7 item 7): a business system (order shipped, appointment booked) sends a
 * template to the phone in its payload. Checked in this order, so nothing is stored for a forged call: the
 * signature and its timestamp, the Idempotency-Key, the trigger, the payload (phone, parameters). Then the key is
 * claimed and the template sent through core send (consent, template checks, guard rails); the first answer is
 * kept and returned for any repeat of the key. During the contact's quiet hours the send is deferred to their end.
 */
export async function receiveTrigger(deps: { db: Knex; secrets: SecretBox; now?: () => Date }, call: TriggerCall): Promise<TriggerAnswer> {
  const now = deps.now?.() ?? new Date();
  const secret = await loadTriggerSecret(deps.db, deps.secrets, call.workspaceId);
  if (!secret) {
    return refuse(401, 'UNAUTHENTICATED', 'This workspace has no trigger secret yet', 'An admin creates it with POST /api/v1/automation/trigger-secret (shown once)');
  }
  const signed = checkTriggerSignature(secret, { signature: call.signature, timestamp: call.timestamp }, call.rawBody, now.getTime());
  if (!signed.ok) return refuse(401, 'UNAUTHENTICATED', signed.message);
  const key = idempotencyKey.safeParse(call.idempotencyKey);
  if (!key.success) return refuse(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Send an Idempotency-Key header (1 to 200 characters): the same key again returns the first answer and sends nothing');

  const found = await triggerInForce(deps.db, call.workspaceId, call.name);
  if (found.kind === 'unknown') return refuse(404, 'UNKNOWN_TRIGGER', `There is no trigger "${call.name}" in force`, 'Define it in the triggers rule (PUT /api/v1/automation/rules/triggers)');
  if (found.kind === 'problem') return refuse(422, 'TRIGGER_MISCONFIGURED', found.message);

  const payload = parsePayload(call.rawBody);
  if (!payload) return refuse(400, 'INVALID_PAYLOAD', 'The body must be a JSON object');
  const resolved = resolveSend(found.trigger, payload);
  if ('error' in resolved) return resolved.error;

  const [claimed]: TriggerRequestRow[] = await deps.db('trigger_request').insert({
    workspace_id: call.workspaceId, idempotency_key: key.data, trigger_name: call.name, whatsapp_number_id: found.numberId, wa_id: resolved.waId,
    content: JSON.stringify(resolved.content), callback_url: found.trigger.callbackUrl ?? null, honours_quiet_hours: found.trigger.quietHours,
    follow_up: resolved.followUp ? JSON.stringify(resolved.followUp) : null,
  }).onConflict(['workspace_id', 'idempotency_key']).ignore().returning('*');
  if (!claimed) return firstAnswer(deps.db, call.workspaceId, key.data, call.name);
  try {
    const answer = await sendClaimed(deps, claimed, now);
    await deps.db('trigger_request').where({ id: claimed.id }).update({ response_status: answer.status, response_body: JSON.stringify(answer.body) });
    return answer;
  } catch (error) {
    // Unexpected trouble (database …): free the key, so the caller's retry is not told "in progress" forever.
    await deps.db('trigger_request').where({ id: claimed.id }).whereNull('response_status').delete();
    throw error;
  }
}

async function sendClaimed(deps: { db: Knex; now?: () => Date }, row: TriggerRequestRow, now: Date): Promise<TriggerAnswer> {
  const result = await sendTriggerTemplate(deps, row, row.content);
  if (result.ok) {
    await deps.db.transaction(async (trx) => {
      await trx('trigger_request').where({ id: row.id }).update({ message_id: result.outbound.messageId });
      await scheduleFollowUp(trx, row, now);
    });
    return { status: 202, body: { messageId: result.outbound.messageId, status: result.outbound.state } };
  }
  if (result.error.code === 'QUIET_HOURS' && result.error.retryAt) {
    await scheduleTriggerSend(deps.db, row, result.error.retryAt);
    return { status: 202, body: { messageId: null, status: 'scheduled', scheduledFor: result.error.retryAt.toISOString(), reason: result.error.message } };
  }
  return { status: statusOfRefusal[result.error.code] ?? 422, body: { error: refusalJson(result.error) } };
}

/** A repeated key: the first call's answer, or 409 while the first call is still being answered. */
async function firstAnswer(db: Knex, workspaceId: string, key: string, name: string): Promise<TriggerAnswer> {
  const first: { trigger_name: string; response_status: number | null; response_body: Record<string, unknown> | null } | undefined = await db('trigger_request')
    .where({ workspace_id: workspaceId, idempotency_key: key }).first('trigger_name', 'response_status', 'response_body');
  if (first?.trigger_name !== name) return refuse(409, 'IDEMPOTENCY_KEY_REUSED', `This Idempotency-Key was used for trigger "${first?.trigger_name ?? '?'}"`, 'Use a new key for each event');
  if (first.response_status === null || first.response_body === null) return refuse(409, 'IN_PROGRESS', 'The first call with this Idempotency-Key is still being answered', 'Retry in a few seconds');
  return { status: first.response_status, body: first.response_body };
}

function parsePayload(rawBody: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(rawBody.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

type Found = { kind: 'found'; trigger: TriggerDefinition; numberId: string } | { kind: 'unknown' } | { kind: 'problem'; message: string };

/**
 * The trigger of that name in force, and the number it sends from: a number's own triggers rule names its number;
 * the workspace default's trigger sends from its `phoneNumberId`, or the workspace's only number, unless that
 * number has a triggers rule of its own (which replaces the default for it, as every rule kind does).
 */
async function triggerInForce(db: Knex, workspaceId: string, name: string): Promise<Found> {
  const rules = (await currentRules(db, workspaceId)).filter((r) => r.kind === 'triggers');
  const ownRule = new Set(rules.flatMap((r) => (r.numberId === null ? [] : [r.numberId])));
  const named = rules.flatMap((r) => ((r.definition as RuleDefinition<'triggers'> | null)?.triggers ?? []).filter((t) => t.name === name).map((trigger) => ({ trigger, numberId: r.numberId })));
  const own = named.filter((n): n is { trigger: TriggerDefinition; numberId: string } => n.numberId !== null);
  if (own.length > 1) return { kind: 'problem', message: `Trigger "${name}" is defined on ${own.length} numbers: give each number's trigger its own name` };
  if (own[0]) return { kind: 'found', ...own[0] };
  const fallback = named[0]?.trigger;
  if (!fallback) return { kind: 'unknown' };
  const numbers: Array<{ id: string; phone_number_id: string }> = await db('whatsapp_number').where({ workspace_id: workspaceId }).select('id', 'phone_number_id');
  const number = fallback.phoneNumberId === undefined ? (numbers.length === 1 ? numbers[0] : undefined) : numbers.find((n) => n.phone_number_id === fallback.phoneNumberId);
  if (!number) {
    return { kind: 'problem', message: fallback.phoneNumberId === undefined
      ? `Trigger "${name}" names no phoneNumberId and the workspace has ${numbers.length} numbers: set the number it sends from`
      : `Trigger "${name}" sends from number ${fallback.phoneNumberId}, which is not in this workspace` };
  }
  return ownRule.has(number.id) ? { kind: 'unknown' } : { kind: 'found', trigger: fallback, numberId: number.id };
}

type Resolved = { waId: string; content: unknown; followUp: FollowUp | undefined } | { error: TriggerAnswer };

/** The customer's wa_id and the template's parameters, read from the payload by the trigger's pointers. */
function resolveSend(trigger: TriggerDefinition, payload: Record<string, unknown>): Resolved {
  const phone = valueAtPointer(payload, trigger.to);
  if (phone === undefined || phone === null || phone === '') {
    return { error: refuse(422, 'PHONE_MISSING', `The payload has no phone number at ${trigger.to}`, 'Send the customer\'s phone there, in international form (+ and country code)') };
  }
  const international = internationalForm(typeof phone === 'number' ? `+${phone}` : phone);
  const waId = waIdSchema.safeParse(international?.slice(1));
  if (!waId.success) {
    return { error: refuse(422, 'PHONE_UNUSABLE', `The phone number at ${trigger.to} (${JSON.stringify(phone)}) is not in international form`, 'Give it with + or 00 and the country code, e.g. +4915123456789') };
  }
  const texts = (pointers: readonly string[]): string[] | TriggerAnswer => {
    const out: string[] = [];
    for (const [index, parameter] of pointers.entries()) {
      const value = parameter.startsWith('/') ? valueAtPointer(payload, parameter) : parameter;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        return refuse(422, 'PARAMETER_MISSING', `Parameter ${index + 1} of the template: the payload has no text at ${parameter}`, 'Send a string or number there, or change the trigger\'s parameters');
      }
      out.push(String(value));
    }
    return out;
  };
  const parameters = texts(trigger.parameters);
  if (!Array.isArray(parameters)) return { error: parameters };
  const content = templateContent(trigger.template, trigger.language, parameters);
  const followUp = trigger.followUp;
  if (!followUp) return { waId: waId.data, content, followUp: undefined };
  if (followUp.assignTask) return { waId: waId.data, content, followUp: { afterHours: followUp.afterHours, assignTask: true } };
  const sameTemplate = (followUp.template ?? trigger.template) === trigger.template;
  const reminderParameters = followUp.parameters ? texts(followUp.parameters) : sameTemplate ? parameters : [];
  if (!Array.isArray(reminderParameters)) return { error: reminderParameters };
  return {
    waId: waId.data,
    content,
    followUp: { afterHours: followUp.afterHours, content: templateContent(followUp.template ?? trigger.template, followUp.language ?? trigger.language, reminderParameters) },
  };
}

function templateContent(name: string, language: string, parameters: readonly string[]): unknown {
  return { type: 'template', name, language, ...(parameters.length ? { body: parameters.map((text) => ({ type: 'text', text })) } : {}) };
}
