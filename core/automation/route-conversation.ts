import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import { writeAudit } from '../audit/write-audit';
import type { Logger } from '../observability/logger';
import { send } from '../send/send-message';
import type { JsonObject } from '../sync/conversation-event';
import { emitConversationEvent } from '../sync/emit-conversation-event';
import { chosenOption, mentions, menuContent } from './menu-choice';
import { TEAM_PLACEHOLDER, type RuleDefinition } from './rule-kinds';
import { ruleInForce } from './rules';

export const ROUTING_TIMEOUT_TASK = 'automation.routing_timeout';

type Menu = RuleDefinition<'routing_menu'>;
type RoutedBy = 'keyword' | 'menu' | 'timeout' | 'fallback' | 'bot';

export interface RoutingDeps {
  db: Knex;
  logger: Logger;
}

/** The message being routed: its conversation and number, and what the customer said or tapped. */
export interface InboundForRouting {
  workspaceId: string;
  conversationId: string;
  numberId: string;
  choiceId: string | undefined;
  text: string;
  /** The customer asked for a person (from an FAQ answer): starts the menu, but is no answer to one already sent. */
  escalation: boolean;
}

interface RoutingRow {
  state: 'awaiting_choice' | 'routed';
  prompts: number;
}

const sender = { platform: 'threadline', id: 'automation:routing', name: 'Routing menu' };

/**
 * Routes a conversation to a team (issue 7 item 2): a keyword rule routes at once ("invoice" → billing); otherwise
 * the routing menu is sent and the next answers are judged: a tapped option, its number, title or keywords route;
 * anything else re-prompts until `maxPrompts`, then the fallback team takes it (as does the timeout job). A routed
 * conversation is left alone. The routing row is locked while a message is judged, and every send has a key of its
 * own (the prompt's number), so a retried job sends nothing twice.
 */
export async function routeInbound(deps: RoutingDeps, message: InboundForRouting): Promise<void> {
  const [keywordRoutes, menu] = await Promise.all([
    ruleInForce(deps.db, message.workspaceId, message.numberId, 'keyword_routes'),
    ruleInForce(deps.db, message.workspaceId, message.numberId, 'routing_menu'),
  ]);
  if (!keywordRoutes && !menu) return;
  const routedByMenu = await deps.db.transaction(async (trx): Promise<string | undefined> => {
    const row: RoutingRow | undefined = await trx('conversation_routing').where({ conversation_id: message.conversationId }).forUpdate().first('state', 'prompts');
    if (row?.state === 'routed') return undefined;
    const byKeyword = keywordRoutes?.routes.find((r) => mentions(message.text, r.keywords));
    if (byKeyword) return void (await routeTo(trx, deps, message, byKeyword.team, 'keyword'));
    if (!menu) return undefined;
    if (!row) return (await heldOrStartedByBusiness(trx, message)) ? undefined : void (await prompt(trx, deps, message, menu, 1));
    if (message.escalation) return undefined;
    const option = chosenOption(menu, message);
    if (option !== undefined) {
      const team = menu.options[option]?.team ?? menu.fallbackTeam;
      await routeTo(trx, deps, message, team, 'menu');
      return team;
    }
    if (row.prompts >= menu.maxPrompts) return void (await routeTo(trx, deps, message, menu.fallbackTeam, 'fallback'));
    return void (await prompt(trx, deps, message, menu, row.prompts + 1));
  });
  // After the commit: the routed event woke the platforms' sync under a lock the confirmation's own send needs.
  if (routedByMenu !== undefined && menu) await confirm(deps, message, menu, routedByMenu);
}

/**
 * No menu for a conversation a person already holds, nor for a customer answering a message the business started
 * the conversation with (a shipping notice): the menu is for people who come to us.
 */
async function heldOrStartedByBusiness(trx: Knex.Transaction, message: InboundForRouting): Promise<boolean> {
  const row: { assignee_id: string | null; first_direction: string | null } | undefined = await trx('conversation as c')
    .where({ 'c.workspace_id': message.workspaceId, 'c.id': message.conversationId })
    .first('c.assignee_id', trx.raw(`(select m.direction from message m where m.workspace_id = c.workspace_id and m.conversation_id = c.id order by m.created_at, m.id limit 1) as first_direction`));
  return Boolean(row?.assignee_id) || row?.first_direction === 'outbound';
}

/**
 * Sends the menu, then records that it waits for an answer. The send runs on its own connection while this
 * transaction holds the routing row: safe only because nothing here has emitted an event yet (an event wakes the
 * platforms' sync under a lock the send's own event needs; see routeInbound).
 */
async function prompt(trx: Knex.Transaction, deps: RoutingDeps, message: InboundForRouting, menu: Menu, number: number): Promise<void> {
  const text = number === 1 ? menu.prompt : menu.reprompt;
  await sendAs(deps, message, `automation:menu:${message.conversationId}:${number}`, menuContent(menu, text));
  await trx('conversation_routing').insert({
    conversation_id: message.conversationId, workspace_id: message.workspaceId, state: 'awaiting_choice', prompts: number, prompted_at: trx.fn.now(), updated_at: trx.fn.now(),
  }).onConflict('conversation_id').merge(['state', 'prompts', 'prompted_at', 'updated_at']);
  // One timeout per conversation, moved on by each prompt; it routes only if this prompt is still unanswered.
  await trx.raw(
    `select graphile_worker.add_job(?, ?::json, run_at => now() + make_interval(mins => ?), job_key => ?, max_attempts => 5)`,
    [ROUTING_TIMEOUT_TASK, JSON.stringify({ workspaceId: message.workspaceId, conversationId: message.conversationId, numberId: message.numberId, prompts: number }), menu.timeoutMinutes, `routing-timeout:${message.conversationId}`],
  );
}

/**
 * Gives the conversation to a team (a bot's handoff names one too): later messages get no menu. Records the route
 * and tells the platforms, with the team's mapping (Zendesk group and tags, HubSpot owner, Salesforce queue or
 * owner) in the event, so each connector places the conversation without reading rules.
 */
export async function routeTo(
  trx: Knex.Transaction, deps: RoutingDeps, target: { workspaceId: string; conversationId: string; numberId?: string }, team: string, by: RoutedBy,
): Promise<void> {
  await trx('conversation_routing').insert({
    conversation_id: target.conversationId, workspace_id: target.workspaceId, state: 'routed', team, routed_by: by, updated_at: trx.fn.now(),
  }).onConflict('conversation_id').merge(['state', 'team', 'routed_by', 'updated_at']);
  await writeAudit(trx, { workspaceId: target.workspaceId, actor: 'automation', action: 'conversation.routed', entityType: 'conversation', entityId: target.conversationId, data: { team, by } });
  const numberId = target.numberId ?? (await trx('conversation').where({ workspace_id: target.workspaceId, id: target.conversationId }).first('whatsapp_number_id'))?.whatsapp_number_id as string;
  const teams = await ruleInForce(trx, target.workspaceId, numberId, 'teams');
  const definition = teams?.teams.find((t) => t.key === team) ?? { key: team, name: team };
  await emitConversationEvent(trx, { workspaceId: target.workspaceId, conversationId: target.conversationId, type: 'conversation.routed', data: { team: toJson(definition), by } });
  deps.logger.info({ conversationId: target.conversationId, team, by }, 'conversation routed');
}

/** A parsed rule as event data: plain JSON (undefined optional fields dropped). */
function toJson(value: object): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

async function confirm(deps: RoutingDeps, message: InboundForRouting, menu: Menu, teamKey: string): Promise<void> {
  if (menu.confirmation === '') return;
  const teams = await ruleInForce(deps.db, message.workspaceId, message.numberId, 'teams');
  const name = teams?.teams.find((t) => t.key === teamKey)?.name ?? teamKey;
  await sendAs(deps, message, `automation:menu:${message.conversationId}:routed`, { type: 'text', body: menu.confirmation.replaceAll(TEAM_PLACEHOLDER, name) });
}

async function sendAs(deps: RoutingDeps, message: InboundForRouting, idempotencyKey: string, content: unknown): Promise<void> {
  const result = await send({ db: deps.db }, { workspaceId: message.workspaceId, conversationId: message.conversationId, idempotencyKey, sender, content });
  // Refused by policy (opted out, number disconnected): routing goes on, the team answers on the platform.
  if (!result.ok) deps.logger.info({ conversationId: message.conversationId, code: result.error.code }, 'routing message not sent');
}

const timeoutPayload = z.object({ workspaceId: z.uuid(), conversationId: z.uuid(), numberId: z.uuid(), prompts: z.number().int().min(1) });

/** The menu went unanswered for `timeoutMinutes`: the fallback team takes the conversation. */
export function routingTimeoutTask(deps: RoutingDeps): Task {
  return async (payload) => {
    const target = timeoutPayload.parse(payload);
    const menu = await ruleInForce(deps.db, target.workspaceId, target.numberId, 'routing_menu');
    await deps.db.transaction(async (trx) => {
      const row: RoutingRow | undefined = await trx('conversation_routing').where({ conversation_id: target.conversationId }).forUpdate().first('state', 'prompts');
      if (row?.state !== 'awaiting_choice' || row.prompts !== target.prompts) return;
      // The menu was switched off meanwhile: the conversation stays unrouted rather than guessing a team.
      if (!menu) return;
      await routeTo(trx, deps, target, menu.fallbackTeam, 'timeout');
    });
  };
}
