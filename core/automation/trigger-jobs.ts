import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import { writeAudit } from '../audit/write-audit';
import type { SecretBox } from '../crypto/secret-box';
import type { Logger } from '../observability/logger';
import { publicUrlProblem } from '../send/public-url-guard';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import { loadTriggerSecret, SIGNATURE_HEADER, signTrigger, TIMESTAMP_HEADER } from './trigger-secret';
import { refusalJson, sendTriggerTemplate, TRIGGER_SENDER_PREFIX, type TriggerRequestRow } from './trigger-send';

export const TRIGGER_SEND_TASK = 'automation.trigger_send';
export const TRIGGER_CALLBACK_TASK = 'automation.trigger_callback';
export const TRIGGER_FOLLOW_UP_TASK = 'automation.trigger_follow_up';
/** graphile-worker's backoff (exp(attempts) seconds) over 12 attempts spans about two days for a callback receiver that is down. */
const CALLBACK_MAX_ATTEMPTS = 12;
const CALLBACK_TIMEOUT_MS = 10_000;

interface TriggerJobDeps {
  db: Knex;
  logger: Logger;
  now?: () => Date;
}

async function addJob(db: Knex, task: string, payload: Record<string, unknown>, options: { runAt?: Date; jobKey?: string; maxAttempts: number }): Promise<void> {
  await db.raw('select graphile_worker.add_job(?, ?::json, run_at => ?, job_key => ?, max_attempts => ?)', [
    task, JSON.stringify(payload), options.runAt ?? new Date(), options.jobKey ?? null, options.maxAttempts,
  ]);
}

/** A send deferred past the contact's quiet hours: a job at their end. */
export async function scheduleTriggerSend(db: Knex, row: Pick<TriggerRequestRow, 'id' | 'workspace_id'>, runAt: Date): Promise<void> {
  await addJob(db, TRIGGER_SEND_TASK, { workspaceId: row.workspace_id, requestId: row.id }, { runAt, jobKey: `trigger-send:${row.id}`, maxAttempts: 5 });
}

/** The reminder owed `afterHours` after the template (`sentAt`), unless the customer answers first; `runAt` moves it. */
export async function scheduleFollowUp(db: Knex, row: Pick<TriggerRequestRow, 'id' | 'workspace_id' | 'follow_up'>, sentAt: Date, runAt?: Date): Promise<void> {
  if (!row.follow_up) return;
  await addJob(db, TRIGGER_FOLLOW_UP_TASK, { workspaceId: row.workspace_id, requestId: row.id }, {
    runAt: runAt ?? new Date(sentAt.getTime() + row.follow_up.afterHours * 3_600_000), jobKey: `trigger-follow-up:${row.id}`, maxAttempts: 5,
  });
}

/**
 * Called where a message fails for good (send-outcome.ts before Meta took it, apply-status.ts after): when a
 * trigger with a callback URL sent it, queues the callback, once per trigger call, in the failing transaction.
 * Other senders cost nothing: they are told apart by `sent_by` without a query.
 */
export async function queueTriggerCallback(
  trx: Knex.Transaction, workspaceId: string, messageId: string, sender: { platform: string; id: string } | null,
): Promise<void> {
  if (sender?.platform !== 'threadline' || !sender.id.startsWith(TRIGGER_SENDER_PREFIX)) return;
  await queueCallback(trx, trx('trigger_request').where({ workspace_id: workspaceId, message_id: messageId }), workspaceId, null);
}

async function queueCallback(db: Knex, rows: Knex.QueryBuilder, workspaceId: string, error: Record<string, string> | null): Promise<void> {
  const [row]: Array<{ id: string }> = await rows.whereNotNull('callback_url').whereNull('callback_queued_at').update({ callback_queued_at: db.fn.now() }).returning('id');
  if (row) await addJob(db, TRIGGER_CALLBACK_TASK, { workspaceId, requestId: row.id, error }, { jobKey: `trigger-callback:${row.id}`, maxAttempts: CALLBACK_MAX_ATTEMPTS });
}

const payloadSchema = z.object({ workspaceId: z.uuid(), requestId: z.uuid() });
const callbackPayload = payloadSchema.extend({ error: z.record(z.string(), z.string()).nullable() });

async function loadRequest(db: Knex, workspaceId: string, requestId: string): Promise<TriggerRequestRow | undefined> {
  return db('trigger_request').where({ workspace_id: workspaceId, id: requestId }).first();
}

/** The deferred send at the end of quiet hours; a refusal then (opted out since, capped) goes to the callback. */
export function triggerSendTask(deps: TriggerJobDeps): Task {
  return async (payload) => {
    const { workspaceId, requestId } = payloadSchema.parse(payload);
    const row = await loadRequest(deps.db, workspaceId, requestId);
    if (!row || row.message_id) return;
    const result = await sendTriggerTemplate(deps, row, row.content);
    if (result.ok) {
      await deps.db.transaction(async (trx) => {
        await trx('trigger_request').where({ id: row.id }).update({ message_id: result.outbound.messageId });
        await scheduleFollowUp(trx, row, deps.now?.() ?? new Date());
      });
    } else if (result.error.code === 'QUIET_HOURS' && result.error.retryAt) {
      await scheduleTriggerSend(deps.db, row, result.error.retryAt);
    } else {
      deps.logger.info({ workspaceId, requestId, code: result.error.code }, 'deferred trigger send refused');
      await queueCallback(deps.db, deps.db('trigger_request').where({ id: row.id }), workspaceId, refusalJson(result.error));
    }
  };
}

/**
 * POSTs a late failure to the trigger's callback URL, signed like trigger calls; any answer but 2xx is retried
 * with backoff. A job of its own: a slow receiver never holds up the engine.
 */
export function triggerCallbackTask(deps: TriggerJobDeps & { secrets: SecretBox; allowedHosts: readonly string[] }): Task {
  return async (payload) => {
    const { workspaceId, requestId, error } = callbackPayload.parse(payload);
    const row = await loadRequest(deps.db, workspaceId, requestId);
    if (!row?.callback_url) return;
    const problem = await publicUrlProblem(row.callback_url, deps.allowedHosts);
    const secret = await loadTriggerSecret(deps.db, deps.secrets, workspaceId);
    if (problem || !secret) {
      deps.logger.warn({ workspaceId, requestId, problem }, 'trigger callback not sent');
      return;
    }
    const message: { error_code: number | null; error_title: string | null; error_details: string | null } | undefined = row.message_id
      ? await deps.db('message').where({ workspace_id: workspaceId, id: row.message_id }).first('error_code', 'error_title', 'error_details')
      : undefined;
    const body = JSON.stringify({
      trigger: row.trigger_name, idempotencyKey: row.idempotency_key, messageId: row.message_id, status: 'failed',
      error: error ?? { code: String(message?.error_code ?? 'FAILED'), message: message?.error_title ?? 'WhatsApp did not deliver the message', details: message?.error_details ?? '' },
    });
    const timestamp = String(Math.floor((deps.now?.() ?? new Date()).getTime() / 1000));
    const res = await fetch(row.callback_url, {
      method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS), body,
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signTrigger(secret, timestamp, body), [TIMESTAMP_HEADER]: timestamp, 'idempotency-key': row.idempotency_key },
    });
    if (!res.ok) throw new Error(`trigger callback ${row.callback_url} answered ${res.status}`);
  };
}

/**
 * The no-reply follow-up, once, unless any customer message arrived in the conversation after the template (that is
 * what cancels it: checked when the job runs, so no inbound path has to know about follow-ups) or the template
 * failed: a reminder template, or with `assignTask` a `conversation.follow_up_due` event, which the CRMs turn into a
 * task for the contact's owner.
 */
export function triggerFollowUpTask(deps: TriggerJobDeps): Task {
  return async (payload) => {
    const { workspaceId, requestId } = payloadSchema.parse(payload);
    const row = await loadRequest(deps.db, workspaceId, requestId);
    if (!row?.follow_up || !row.message_id) return;
    const template: { status: string; conversation_id: string; created_at: Date } | undefined = await deps.db('message')
      .where({ workspace_id: workspaceId, id: row.message_id }).first('status', 'conversation_id', 'created_at');
    const answered: { id: string } | undefined = await deps.db('message as t')
      .join('message as i', function sameConversation() { this.on('i.conversation_id', 't.conversation_id').andOn('i.created_at', '>', 't.created_at'); })
      .where({ 't.id': row.message_id, 'i.direction': 'inbound' }).first('i.id');
    // A template that never arrived is reported to the callback; reminding of it would make no sense.
    if (!template || template.status === 'failed' || answered) return;
    if ('assignTask' in row.follow_up) {
      await emitFollowUpDue(deps.db, row, template);
      return;
    }
    const result = await sendTriggerTemplate(deps, row, row.follow_up.content, ':follow-up');
    if (!result.ok && result.error.code === 'QUIET_HOURS' && result.error.retryAt) {
      await scheduleFollowUp(deps.db, row, new Date(), result.error.retryAt);
    } else if (!result.ok) {
      deps.logger.info({ workspaceId, requestId, code: result.error.code }, 'trigger follow-up not sent');
    }
  };
}

const templateName = z.object({ name: z.string() });

/**
 * The follow-up handed to a person: recorded once per trigger call (a job run again emits nothing), audited, and a
 * conversation event for the platforms. No quiet hours: nothing reaches the customer.
 */
async function emitFollowUpDue(db: Knex, row: TriggerRequestRow, template: { conversation_id: string; created_at: Date }): Promise<void> {
  const data = { trigger: row.trigger_name, template: templateName.parse(row.content).name, sentAt: template.created_at.toISOString() };
  await db.transaction(async (trx) => {
    const [first] = await trx('automation_action')
      .insert({ workspace_id: row.workspace_id, conversation_id: template.conversation_id, action: 'follow_up_due', period_key: row.id, message_id: row.message_id })
      .onConflict(['conversation_id', 'action', 'period_key']).ignore().returning('conversation_id');
    if (!first) return;
    await writeAudit(trx, { workspaceId: row.workspace_id, actor: 'automation', action: 'conversation.follow_up_due', entityType: 'conversation', entityId: template.conversation_id, data });
    await emitConversationEvent(trx, { workspaceId: row.workspace_id, conversationId: template.conversation_id, type: 'conversation.follow_up_due', data });
  });
}
