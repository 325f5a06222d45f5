import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import { enqueueJob } from '../engine/enqueue-job';
import type { SecretBox } from '../crypto/secret-box';
import type { Logger } from '../observability/logger';
import type { Metrics } from '../observability/metrics';
import { send } from '../send/send-message';
import type { RetrySchedule } from '../sync/retry-schedule';
import { automationQueue } from './automation-queue';
import { forwardToBot } from './bot-forward';
import { botInForce } from './bot-in-force';
import { ownerForMessage } from './bot-ownership';
import { closedPeriodAt, describeReopening } from './business-hours';
import { csatScoreOf, mayAnswerCsat, recordCsatAnswer } from './csat-answer';
import { BACK_PLACEHOLDER, hoursOfTeam } from './rule-kinds';
import { answerFaq } from './answer-faq';
import { routeInbound } from './route-conversation';
import { hasRulesInForce, ruleInForce } from './rules';
import { startSlaTimer } from './sla-timers';
import { choiceIdOf } from './tapped-choice';

export const INBOUND_AUTOMATION_TASK = 'automation.inbound';
/** An auto-reply hours late is worse than none; a few tries cover a restart or a busy database. */
const MAX_ATTEMPTS = 5;

const payloadSchema = z.object({ workspaceId: z.uuid(), messageId: z.uuid() });

/**
 * Called by the engine for each new inbound message, in its transaction: a job only for numbers with a rule on,
 * or when the message may answer a CSAT send (a CSAT answer is stored without any rule), so numbers without
 * automations cost one cached lookup and one indexed query.
 */
export async function enqueueInboundAutomation(
  trx: Knex.Transaction, args: { workspaceId: string; numberId: string; contactId: string; messageId: string; body: { type: string } },
): Promise<void> {
  // A reaction is not a question: nothing to answer.
  if (args.body.type === 'reaction') return;
  // Only a score (a digit or a tapped button) may answer a CSAT send: any other message costs no query here.
  const mayBeCsatAnswer = async () => csatScoreOf(args.body) !== undefined && mayAnswerCsat(trx, args);
  if (!(await hasRulesInForce(trx, args.workspaceId, args.numberId)) && !(await mayBeCsatAnswer())) return;
  // One customer's messages are judged one at a time, in order (a menu answer must follow its menu).
  await enqueueJob(trx, INBOUND_AUTOMATION_TASK, { workspaceId: args.workspaceId, messageId: args.messageId }, MAX_ATTEMPTS, automationQueue(args.numberId, args.contactId));
}

interface InboundRow {
  conversation_id: string;
  whatsapp_number_id: string;
  contact_id: string;
  sent_at: Date;
  text: string | null;
  body: unknown;
}

export interface InboundAutomationDeps {
  db: Knex;
  logger: Logger;
  /** Counts CSAT answers. */
  metrics: Metrics;
  now?: () => Date;
  /** Opens each bot's signing secret. */
  secrets: SecretBox;
  /** When a bot that did not take a message is tried again. */
  botRetry: RetrySchedule;
}

/**
 * The automations that answer a customer's message. A conversation its bot owns (issue 7 item 4) goes to the bot
 * and nothing else answers: no out-of-hours reply (the bot is the one answering, at any hour), no response timer
 * (those are for people), no FAQ, no menu. Otherwise, in this order: the out-of-hours reply (item 1), an FAQ answer
 * (item 3) unless the bot handed the customer to a person, routing (item 2), then the response timer (item 5).
 * Before all of them, a CSAT answer (item 7) is stored, and nothing else answers it: a score is not a question.
 */
export function inboundAutomationTask(deps: InboundAutomationDeps): Task {
  return async (payload) => {
    const { workspaceId, messageId } = payloadSchema.parse(payload);
    const row: InboundRow | undefined = await deps.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id')
      .where({ 'm.workspace_id': workspaceId, 'm.id': messageId, 'm.direction': 'inbound' })
      .first('m.conversation_id', 'c.whatsapp_number_id', 'c.contact_id', 'm.sent_at', 'm.text', 'm.body');
    if (!row) return; // erased since
    const conversation = { workspaceId, conversationId: row.conversation_id, numberId: row.whatsapp_number_id, contactId: row.contact_id };
    const inbound = { workspaceId, numberId: row.whatsapp_number_id, contactId: row.contact_id, messageId, body: row.body, sentAt: row.sent_at };
    if (await recordCsatAnswer(deps, inbound)) return;
    // Queued for a possible CSAT answer that was not one: a number without rules has nothing else to do.
    if (!(await hasRulesInForce(deps.db, workspaceId, row.whatsapp_number_id))) return;
    const bot = await botInForce(deps.db, workspaceId, row.whatsapp_number_id);
    const owner = bot && await ownerForMessage(deps.db, conversation, bot.rule.ownsNewConversations);
    if (owner === 'bot') return forwardToBot({ db: deps.db, secrets: deps.secrets, logger: deps.logger, retry: deps.botRetry }, conversation, messageId);
    await replyOutOfHours(deps, workspaceId, messageId, row);
    const message = { workspaceId, conversationId: row.conversation_id, numberId: row.whatsapp_number_id, messageId, choiceId: choiceIdOf(row.body), text: row.text ?? '' };
    // Handed to a person by the bot (or taken by one): canned answers would talk over them.
    const faq = owner === 'person' ? 'none' : await answerFaq(deps, message);
    // An answered question waits for the customer; asking for a person is not an answer to the menu.
    if (faq !== 'answered') {
      await routeInbound(deps, faq === 'escalated' ? { ...message, choiceId: undefined, text: '', escalation: true } : { ...message, escalation: false });
    }
    // Last, so a conversation routed by this very message is timed by its team's target.
    await startSlaTimer(deps.db, { workspaceId, conversationId: row.conversation_id, numberId: row.whatsapp_number_id, messageId, sentAt: row.sent_at });
  };
}

/**
 * Answers a message that arrived while the team was closed, once per conversation per closed period: the period's
 * start is in the send's idempotency key, so retries, redeliveries and a second message in the same night send
 * nothing more; the next closed period answers again. The hours are judged at the message's own time, not the
 * job's, so a backlog does not turn a 16:59 message into an out-of-hours one.
 */
async function replyOutOfHours(deps: { db: Knex; logger: Logger; now?: () => Date }, workspaceId: string, messageId: string, row: InboundRow): Promise<void> {
  const rule = await ruleInForce(deps.db, workspaceId, row.whatsapp_number_id, 'business_hours');
  if (!rule?.autoReply.enabled) return;
  // A routed conversation keeps its team's hours; before routing, the number's.
  const routing: { team: string | null } | undefined = await deps.db('conversation_routing').where({ conversation_id: row.conversation_id }).first('team');
  const hours = hoursOfTeam(rule, routing?.team);
  const period = closedPeriodAt(hours, row.sent_at);
  if (!period) return;
  const periodKey = period.since?.toISOString() ?? 'no-recent-opening';
  const back = period.until ? describeReopening(hours, row.sent_at, period.until) : 'as soon as we can';
  const result = await send({ db: deps.db, ...(deps.now ? { now: deps.now } : {}) }, {
    workspaceId,
    conversationId: row.conversation_id,
    idempotencyKey: `automation:out-of-hours:${row.conversation_id}:${periodKey}`,
    sender: { platform: 'threadline', id: 'automation:business_hours', name: 'Out-of-hours reply' },
    content: { type: 'text', body: rule.autoReply.text.replaceAll(BACK_PLACEHOLDER, back) },
  });
  if (!result.ok) {
    // Outside the window (a very late job), opted out, number disconnected: the policy is right to refuse.
    deps.logger.info({ workspaceId, messageId, code: result.error.code }, 'out-of-hours reply not sent');
    return;
  }
  if (result.duplicate) return;
  await deps.db('automation_action').insert({
    workspace_id: workspaceId, conversation_id: row.conversation_id, action: 'out_of_hours_reply', period_key: periodKey, message_id: result.outbound.messageId,
  }).onConflict(['conversation_id', 'action', 'period_key']).ignore();
}
