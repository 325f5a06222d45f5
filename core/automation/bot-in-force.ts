import type { Knex } from 'knex';
import type { BotScope } from './bot-secret';
import type { RuleDefinition } from './rule-kinds';
import { ruleInForce } from './rules';

export interface BotInForce {
  scope: BotScope;
  rule: RuleDefinition<'bot'>;
}

/**
 * The bot serving a number, and which bot it is: the number's own when it has a `bot` rule of its own (then its
 * secret is the number's), else the workspace's. Undefined when no bot is on for the number.
 */
export async function botInForce(db: Knex, workspaceId: string, numberId: string): Promise<BotInForce | undefined> {
  const rule = await ruleInForce(db, workspaceId, numberId, 'bot');
  if (!rule) return undefined;
  const own = await db('automation_rule').where({ workspace_id: workspaceId, whatsapp_number_id: numberId, kind: 'bot' }).first(db.raw('1'));
  return { scope: { workspaceId, numberId: own ? numberId : null }, rule };
}
