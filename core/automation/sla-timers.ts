import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import { writeAudit } from '../audit/write-audit';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import { addBusinessMinutes } from './business-hours';
import { hoursOfTeam } from './rule-kinds';
import { ruleInForce } from './rules';

export const SLA_DUE_TASK = 'automation.sla_due';

type TimerKind = 'first_response' | 'next_response';

/** Messages Threadline's automations sent: they are not a person's answer. */
const AUTOMATION_PLATFORM = 'threadline';

/**
 * Starts the conversation's response timer for a customer message (issue 7 item 5), unless one is running (the
 * clock runs from the first unanswered message) or a person has already answered after it. First response until
 * a person has answered in the conversation, next response after; the target is the team's (routing) or the
 * rule's, counted in business hours when a business_hours rule is in force. A job runs at the due time.
 */
export async function startSlaTimer(db: Knex, message: { workspaceId: string; conversationId: string; numberId: string; messageId: string; sentAt: Date }): Promise<void> {
  const rule = await ruleInForce(db, message.workspaceId, message.numberId, 'sla');
  if (!rule) return;
  await db.transaction(async (trx) => {
    const timer: { state: string } | undefined = await trx('sla_timer').where({ conversation_id: message.conversationId }).forUpdate().first('state');
    if (timer?.state === 'running') return;
    const answered = await humanAnswers(trx, message.conversationId, message.messageId);
    if (answered.after) return;
    const kind: TimerKind = answered.before ? 'next_response' : 'first_response';
    const routing: { team: string | null } | undefined = await trx('conversation_routing').where({ conversation_id: message.conversationId }).first('team');
    const team = routing?.team ?? null;
    const targets = team === null ? undefined : rule.teams[team];
    const minutes = (kind === 'first_response' ? targets?.firstResponseMinutes : targets?.nextResponseMinutes)
      ?? (kind === 'first_response' ? rule.firstResponseMinutes : rule.nextResponseMinutes);
    const businessHours = rule.businessHoursOnly ? await ruleInForce(trx, message.workspaceId, message.numberId, 'business_hours') : undefined;
    const hours = businessHours && hoursOfTeam(businessHours, team);
    const due = hours ? addBusinessMinutes(hours, message.sentAt, minutes) : new Date(message.sentAt.getTime() + minutes * 60_000);
    await trx('sla_timer').insert({
      conversation_id: message.conversationId, workspace_id: message.workspaceId, kind, team, started_at: message.sentAt, due_at: due ?? null, state: 'running', met_at: null, breached_at: null,
    }).onConflict('conversation_id').merge();
    if (!due) return;
    await trx.raw('select graphile_worker.add_job(?, ?::json, run_at => ?, job_key => ?, max_attempts => 5)', [
      SLA_DUE_TASK, JSON.stringify({ workspaceId: message.workspaceId, conversationId: message.conversationId }), due, `sla:${message.conversationId}`,
    ]);
  });
}

/** Whether a person (not an automation) wrote in the conversation before and after this customer message. */
async function humanAnswers(trx: Knex.Transaction, conversationId: string, messageId: string): Promise<{ before: boolean; after: boolean }> {
  const row: { before: boolean; after: boolean } = (await trx.raw(
    `select coalesce(bool_or(m.created_at < i.created_at), false) as before, coalesce(bool_or(m.created_at > i.created_at), false) as after
       from message i join message m on m.conversation_id = i.conversation_id
      where i.id = ? and i.conversation_id = ? and m.direction = 'outbound' and coalesce(m.sent_by->>'platform', '') <> ?`,
    [messageId, conversationId, AUTOMATION_PLATFORM],
  )).rows[0];
  return row;
}

/** A person's reply meets the running timer: called by core send in its transaction. */
export async function meetSlaTimer(trx: Knex.Transaction, conversationId: string, senderPlatform: string): Promise<void> {
  if (senderPlatform === AUTOMATION_PLATFORM) return;
  await trx('sla_timer').where({ conversation_id: conversationId, state: 'running' }).update({ state: 'met', met_at: trx.fn.now() });
}

const duePayload = z.object({ workspaceId: z.uuid(), conversationId: z.uuid() });

/** At the due time: a timer still running is breached (recorded, counted, audited). */
export function slaDueTask(deps: { db: Knex; logger: Logger; metrics: Metrics }): Task {
  return async (payload) => {
    const { workspaceId, conversationId } = duePayload.parse(payload);
    await deps.db.transaction(async (trx) => {
      const [timer]: Array<{ kind: TimerKind; team: string | null; started_at: Date; due_at: Date }> = await trx('sla_timer')
        .where({ conversation_id: conversationId, workspace_id: workspaceId, state: 'running' }).where('due_at', '<=', trx.fn.now())
        .update({ state: 'breached', breached_at: trx.fn.now() }).returning(['kind', 'team', 'started_at', 'due_at']);
      if (!timer) return;
      await trx('automation_action').insert({ workspace_id: workspaceId, conversation_id: conversationId, action: 'sla_breached', period_key: timer.started_at.toISOString() })
        .onConflict(['conversation_id', 'action', 'period_key']).ignore();
      await writeAudit(trx, {
        workspaceId, actor: 'automation', action: 'conversation.sla_breached', entityType: 'conversation', entityId: conversationId,
        data: { kind: timer.kind, team: timer.team, startedAt: timer.started_at.toISOString(), dueAt: timer.due_at.toISOString() },
      });
      // The platforms raise it where their people look: priority and tags in Zendesk, a task for the owner in HubSpot and Salesforce.
      await emitConversationEvent(trx, {
        workspaceId, conversationId, type: 'conversation.sla_breached',
        data: { kind: timer.kind, team: timer.team, startedAt: timer.started_at.toISOString(), dueAt: timer.due_at.toISOString() },
      });
      deps.metrics.slaBreaches.inc({ kind: timer.kind, team: timer.team ?? '' });
      deps.logger.info({ conversationId, kind: timer.kind, team: timer.team }, 'response target missed');
    });
  };
}
