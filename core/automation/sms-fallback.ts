import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { Logger } from '../observability/logger';
import { sendContent } from '../send/send-content';
import { emitOutbound } from '../send/send-events';
import { failSms, SMS_SENDER } from '../sms/sms-outcome';
import { SmsApiError, type TwilioClient } from '../sms/twilio-client';
import { fillTemplateText, templateBodyText } from '../sms/template-sms-text';
import { ruleInForce } from './rules';
import { SMS_MAX_CHARS } from './sms-fallback-rule';

export const SMS_FALLBACK_TASK = 'automation.sms_fallback';
const MAX_ATTEMPTS = 5;

export interface SmsFallbackDeps {
  db: Knex;
  logger: Logger;
  /** Unset when Twilio is not configured: no fallback. */
  sms?: { client: TwilioClient; statusCallbackUrl: string };
}

async function addJob(db: Knex, payload: { workspaceId: string; messageId: string }, delaySeconds = 0): Promise<void> {
  await db.raw('select graphile_worker.add_job(?, ?::json, run_at => now() + make_interval(secs => ?), job_key => ?, max_attempts => ?)', [
    SMS_FALLBACK_TASK, JSON.stringify(payload), delaySeconds, `sms-fallback:${payload.messageId}`, MAX_ATTEMPTS,
  ]);
}

/**
 * Called where a message fails for good with a WhatsApp error code (apply-status.ts, send-outcome.ts), in the
 * failing transaction: the job decides whether an SMS goes out. Redelivered webhooks may queue it again; the
 * SMS itself is unique per failed message (sms_message.source_message_id).
 */
export async function queueSmsFallback(trx: Knex.Transaction, workspaceId: string, messageId: string, errorCode: number | string | null): Promise<void> {
  if (typeof errorCode === 'number') await addJob(trx, { workspaceId, messageId });
}

interface FailedTemplate {
  id: string;
  conversation_id: string;
  status: string;
  error_code: number | null;
  wamid: string | null;
  whatsapp_number_id: string;
  waba_id: string;
  contact_id: string;
  wa_id: string | null;
  content: unknown;
  sms_consent: string | null;
}

/** The failed template with what the decision needs: its request, the number, the contact and their SMS consent. */
async function loadFailedTemplate(db: Knex, workspaceId: string, messageId: string): Promise<FailedTemplate | undefined> {
  return db('message as m')
    .join('outbound_request as r', function request() { this.on('r.message_id', 'm.id').andOn('r.workspace_id', 'm.workspace_id'); })
    .join('whatsapp_number as n', 'n.id', 'r.whatsapp_number_id')
    .join('contact as k', 'k.id', 'r.contact_id')
    .leftJoin('consent as c', function consent() { this.on('c.contact_id', 'r.contact_id').andOn('c.whatsapp_number_id', 'r.whatsapp_number_id'); })
    .where({ 'm.workspace_id': workspaceId, 'm.id': messageId, 'm.type': 'template', 'm.direction': 'outbound' })
    .first('m.id', 'm.conversation_id', 'm.status', 'm.error_code', 'm.wamid', 'r.whatsapp_number_id', 'n.waba_id', 'r.contact_id', 'k.wa_id', 'r.content', 'c.sms as sms_consent');
}

/** Why no SMS goes out for this failure, or the SMS to send. */
async function decide(db: Knex, workspaceId: string, failed: FailedTemplate): Promise<{ skip: string } | { from: string; to: string; text: string }> {
  const rule = await ruleInForce(db, workspaceId, failed.whatsapp_number_id, 'sms_fallback');
  if (!rule?.enabled) return { skip: 'no sms_fallback rule in force' };
  if (failed.status !== 'failed' || failed.error_code === null || !rule.errorCodes.includes(failed.error_code)) return { skip: 'not a failure the rule falls back on' };
  if (failed.sms_consent !== 'opted_in') return { skip: 'the contact has no SMS consent on this number' };
  if (!failed.wa_id) return { skip: 'the contact has no phone number' };
  // failed beats delivered in status order (status-order.ts): a message the customer got is never sent twice.
  if (failed.wamid && await db('message_status').where({ workspace_id: workspaceId, wamid: failed.wamid }).whereIn('status', ['delivered', 'read', 'played']).first('id')) {
    return { skip: 'the template was delivered' };
  }
  const content = sendContent.safeParse(failed.content);
  if (!content.success || content.data.type !== 'template') return { skip: 'the stored request is not a template' };
  const template: { components: unknown } | undefined = await db('template')
    .where({ workspace_id: workspaceId, waba_id: failed.waba_id, name: content.data.name, language: content.data.language }).first('components');
  const wording = rule.text ?? templateBodyText(template?.components);
  if (wording === undefined) return { skip: 'the template is not stored (sync templates) and the rule has no text' };
  return { from: rule.fromNumber, to: `+${failed.wa_id}`, text: fillTemplateText(wording, content.data) };
}

/** The SMS on the thread (a text message marked `channel: 'sms'`) and its send row, once per failed message; the platforms hear of it. */
async function recordSms(db: Knex, workspaceId: string, failed: FailedTemplate, sms: { from: string; to: string; text: string }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`sms-fallback:${failed.id}`]);
    if (await trx('sms_message').where({ source_message_id: failed.id }).first('id')) return;
    const [message]: { id: string }[] = await trx('message').insert({
      workspace_id: workspaceId, conversation_id: failed.conversation_id, wamid: null, direction: 'outbound', type: 'text',
      body: JSON.stringify({ type: 'text', text: { body: sms.text }, channel: 'sms', fallbackFor: failed.id }), text: sms.text,
      status: 'pending', sent_at: trx.fn.now(), sent_by: JSON.stringify(SMS_SENDER),
    }).returning('id');
    if (!message) throw new Error('sms message not inserted');
    await trx('sms_message').insert({
      workspace_id: workspaceId, source_message_id: failed.id, message_id: message.id, from_number: sms.from, to_number: sms.to, body: sms.text, state: 'queued',
    });
    await emitOutbound(trx, {
      workspaceId, conversationId: failed.conversation_id, messageId: message.id, originInstallationId: null, sender: SMS_SENDER,
      type: 'text', text: sms.text, replyTo: null, contactId: failed.contact_id, waId: failed.wa_id, channel: 'sms',
    });
  });
}

interface SmsRow { id: string; message_id: string; from_number: string; to_number: string; body: string; attempts: number }

const payloadSchema = z.object({ workspaceId: z.uuid(), messageId: z.uuid() });

/**
 * Decides on the fallback for one failed message and sends its SMS. The send row is claimed (queued → sending)
 * in a commit of its own before Twilio is called: a retry after a crash mid-call finds it `sending` and fails it
 * rather than risk a second SMS (no double billing). Answers that say Twilio did not take it (429, 5xx, no
 * connection) are retried with backoff.
 */
export function smsFallbackTask(deps: SmsFallbackDeps): Task {
  return async (payload) => {
    const { workspaceId, messageId } = payloadSchema.parse(payload);
    if (!deps.sms) return;
    let row: SmsRow | undefined = await deps.db('sms_message').where({ workspace_id: workspaceId, source_message_id: messageId }).first();
    if (!row) {
      const failed = await loadFailedTemplate(deps.db, workspaceId, messageId);
      if (!failed) return;
      const decision = await decide(deps.db, workspaceId, failed);
      if ('skip' in decision) {
        deps.logger.info({ workspaceId, messageId, reason: decision.skip }, 'no SMS fallback');
        return;
      }
      await recordSms(deps.db, workspaceId, failed, decision);
      row = await deps.db('sms_message').where({ workspace_id: workspaceId, source_message_id: messageId }).first();
      if (!row) throw new Error('sms message vanished');
    }
    const [claimed]: SmsRow[] = await deps.db('sms_message').where({ id: row.id, state: 'queued' })
      .update({ state: 'sending', attempts: deps.db.raw('attempts + 1'), updated_at: deps.db.fn.now() }).returning('*');
    if (!claimed) {
      const stuck = await deps.db('sms_message').where({ id: row.id, state: 'sending' }).first('id');
      if (stuck) await failSms(deps.db, workspaceId, row, { code: 'SMS_OUTCOME_UNKNOWN', title: 'The SMS may or may not have been sent', details: 'Threadline stopped while handing it to Twilio; check the Twilio console before sending again' });
      return;
    }
    if (claimed.body.length > SMS_MAX_CHARS) {
      await failSms(deps.db, workspaceId, claimed, { code: 'SMS_TOO_LONG', title: `The SMS would be ${claimed.body.length} characters`, details: `Shorten the sms_fallback rule's text to at most ${SMS_MAX_CHARS} characters with its parameters` });
      return;
    }
    try {
      const sent = await deps.sms.client.sendSms({ from: claimed.from_number, to: claimed.to_number, body: claimed.body, statusCallback: deps.sms.statusCallbackUrl });
      await deps.db('sms_message').where({ id: claimed.id }).update({ state: 'accepted', provider_sid: sent.sid, last_error: null, updated_at: deps.db.fn.now() });
    } catch (err) {
      if (!(err instanceof SmsApiError)) throw err;
      if (err.kind === 'retryable' && claimed.attempts < MAX_ATTEMPTS) {
        deps.logger.info({ workspaceId, messageId, attempts: claimed.attempts, err: err.message }, 'SMS refused for now; retrying');
        await deps.db.transaction(async (trx) => {
          await trx('sms_message').where({ id: claimed.id }).update({ state: 'queued', last_error: JSON.stringify({ code: err.code ?? err.httpStatus ?? null, message: err.message }), updated_at: trx.fn.now() });
          await addJob(trx, { workspaceId, messageId }, 2 ** claimed.attempts * 5);
        });
        return;
      }
      await failSms(deps.db, workspaceId, claimed, {
        code: err.code ?? 'SMS_FAILED', title: err.message,
        details: err.kind === 'auth' ? 'Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN' : err.kind === 'unknown' ? 'Twilio may have taken it; check the Twilio console before sending again' : 'Twilio refused the SMS',
      });
    }
  };
}
