import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import type { Logger } from '../observability/logger';
import { retryDelayMs, type RetrySchedule } from '../sync/retry-schedule';
import { botInForce, type BotInForce } from './bot-in-force';
import { ownerOf } from './bot-ownership';
import { botSecret, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './bot-secret';
import { recentTranscript } from './bot-transcript';
import { choiceIdOf } from './tapped-choice';
import { automationQueue } from './automation-queue';

export const BOT_FORWARD_TASK = 'automation.bot_forward';

/** A bot's answer minutes late still helps, an hour late it does not: five tries over about seven minutes. */
export const BOT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 10_000, factor: 3, maxMs: 5 * 60_000, maxAttempts: 5, jitter: 0.2 };

export interface BotForwardDeps {
  db: Knex;
  secrets: SecretBox;
  logger: Logger;
  retry: RetrySchedule;
}

/** A conversation's forwards, run in its customer's automation queue (so never two at once for one customer). */
export interface ForwardTarget {
  workspaceId: string;
  conversationId: string;
  numberId: string;
  contactId: string;
}

/**
 * A customer message of a conversation the bot owns: recorded for the bot, then the conversation's waiting messages
 * are delivered in order (one still waiting for a retry holds the later ones back).
 */
export async function forwardToBot(deps: BotForwardDeps, target: ForwardTarget, messageId: string): Promise<void> {
  await deps.db('bot_forward').insert({ workspace_id: target.workspaceId, conversation_id: target.conversationId, message_id: messageId, state: 'pending' })
    .onConflict('message_id').ignore();
  await deliverPending(deps, target);
}

const wakePayload = z.object({ workspaceId: z.uuid(), conversationId: z.uuid(), numberId: z.uuid(), contactId: z.uuid() });

/** Runs when a failed forward is due again. */
export function botForwardTask(deps: BotForwardDeps): Task {
  return async (payload) => deliverPending(deps, wakePayload.parse(payload));
}

interface ForwardRow {
  id: string;
  message_id: string;
  attempts: number;
  next_attempt_at: Date;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; error: string };

async function deliverPending(deps: BotForwardDeps, target: ForwardTarget): Promise<void> {
  for (;;) {
    const head: ForwardRow | undefined = await deps.db('bot_forward').where({ conversation_id: target.conversationId, state: 'pending' })
      .orderBy([{ column: 'created_at' }, { column: 'id' }]).first('id', 'message_id', 'attempts', 'next_attempt_at');
    if (!head) return;
    if (head.next_attempt_at.getTime() > Date.now()) return wakeAt(deps.db, target, head.next_attempt_at);
    // Checked as the job runs, not when it was queued: a person who took the conversation meanwhile silences the bot.
    const [owner, bot] = await Promise.all([ownerOf(deps.db, target), botInForce(deps.db, target.workspaceId, target.numberId)]);
    if (owner !== 'bot' || !bot) {
      await deps.db('bot_forward').where({ conversation_id: target.conversationId, state: 'pending' })
        .update({ state: 'dropped', last_error: bot ? 'the bot no longer owns the conversation' : 'no bot is on for the number', finished_at: deps.db.fn.now() });
      return;
    }
    const attempt = await post(deps, bot, target, head.message_id);
    const attempts = head.attempts + 1;
    if (attempt.ok) {
      await deps.db('bot_forward').where({ id: head.id }).update({ state: 'delivered', attempts, last_error: null, finished_at: deps.db.fn.now() });
      continue;
    }
    if (attempt.retry && attempts < deps.retry.maxAttempts) {
      const next = new Date(Date.now() + retryDelayMs(deps.retry, attempts));
      await deps.db('bot_forward').where({ id: head.id }).update({ attempts, last_error: attempt.error, next_attempt_at: next });
      deps.logger.warn({ conversationId: target.conversationId, attempts, error: attempt.error }, 'bot did not take a message; it will be retried');
      return wakeAt(deps.db, target, next);
    }
    // A dead letter, listed by the admin API; the conversation's later messages go on to the bot.
    await deps.db('bot_forward').where({ id: head.id }).update({ state: 'dead', attempts, last_error: attempt.error, finished_at: deps.db.fn.now() });
    deps.logger.error({ conversationId: target.conversationId, attempts, error: attempt.error }, 'bot never took a message: dead letter');
  }
}

/**
 * One wake-up per conversation, moved to the head's next attempt, in the customer's automation queue: the inbound
 * job's, so a wake-up and a new message of the same customer never deliver at once.
 */
export async function wakeAt(db: Knex, target: ForwardTarget, at: Date): Promise<void> {
  const payload = { workspaceId: target.workspaceId, conversationId: target.conversationId, numberId: target.numberId, contactId: target.contactId };
  await db.raw('select graphile_worker.add_job(?, ?::json, queue_name => ?, run_at => ?, job_key => ?, max_attempts => 5)', [
    BOT_FORWARD_TASK, JSON.stringify(payload), automationQueue(target.numberId, target.contactId), at, `bot-forward:${target.conversationId}`,
  ]);
}

interface MessageRow {
  type: string;
  text: string | null;
  body: unknown;
  sent_at: Date;
  wa_id: string | null;
  profile_name: string | null;
}

/** One signed POST of the message to the bot; 5xx, 408, 429, timeouts and network errors are worth another try. */
async function post(deps: BotForwardDeps, bot: BotInForce, target: ForwardTarget, messageId: string): Promise<Attempt> {
  const secret = await botSecret(deps.db, deps.secrets, bot.scope);
  if (!secret) return { ok: false, retry: false, error: 'the bot has no signing secret yet: POST /api/v1/automation/bot/secret makes one' };
  const message: MessageRow | undefined = await deps.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').join('contact as k', 'k.id', 'c.contact_id')
    .where({ 'm.workspace_id': target.workspaceId, 'm.id': messageId }).first('m.type', 'm.text', 'm.body', 'm.sent_at', 'k.wa_id', 'k.profile_name');
  if (!message) return { ok: false, retry: false, error: 'the message was erased' };
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    event: 'message',
    // Inside the signed bytes, so a captured request cannot be replayed later with a fresh header.
    timestamp,
    conversation_id: target.conversationId,
    message: { id: messageId, type: message.type, text: message.text ?? '', tapped_id: choiceIdOf(message.body) ?? null, sent_at: message.sent_at.toISOString() },
    contact: { wa_id: message.wa_id, name: message.profile_name },
    transcript: await recentTranscript(deps.db, target.workspaceId, target.conversationId),
  });
  try {
    const res = await fetch(bot.rule.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, body), [TIMESTAMP_HEADER]: String(timestamp) },
      body,
      // A redirect would send the customer's message somewhere the admin did not configure.
      redirect: 'manual',
      signal: AbortSignal.timeout(bot.rule.timeoutMs),
    });
    await res.body?.cancel();
    if (res.ok) return { ok: true };
    const retry = res.status >= 500 || res.status === 408 || res.status === 429;
    return { ok: false, retry, error: `the bot answered HTTP ${res.status}${retry ? '' : ' (not retried: fix the bot or its URL, then replay)'}` };
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return { ok: false, retry: true, error: timedOut ? `the bot did not answer within ${bot.rule.timeoutMs} ms` : `the bot could not be reached: ${(err as Error).cause ?? (err as Error).message}` };
  }
}
