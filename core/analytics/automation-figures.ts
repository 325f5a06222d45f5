import type { Knex } from 'knex';
import { figureRows, filterBindings, SCOPE_SQL, type AnalyticsFilter } from './analytics-filter';

export interface SlaBreaches {
  total: number;
  /** By routed team; team null: breached before routing or never routed. */
  byTeam: Array<{ team: string | null; breaches: number }>;
}

/**
 * Response targets missed in the range. `sla_timer` keeps only a conversation's latest timer, so each breach is read
 * from the `sla_breached` action the due job records once per timer (core/automation/sla-timers.ts), at breach time.
 */
export async function slaBreaches(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<SlaBreaches> {
  const rows = await figureRows<{ total: boolean; team: string | null; breaches: number }>(db, `
    select grouping(r.team) = 1 as total, r.team, count(*)::int as breaches
      from automation_action a
      join conversation c on c.id = a.conversation_id and c.workspace_id = :ws
      left join conversation_routing r on r.conversation_id = c.id
     where a.workspace_id = :ws and a.action = 'sla_breached' and a.created_at >= :from and a.created_at < :to and ${SCOPE_SQL}
     group by grouping sets ((), (r.team))
     order by r.team nulls last`, filterBindings(workspaceId, filter));
  return {
    total: rows.find((r) => r.total)?.breaches ?? 0,
    byTeam: rows.filter((r) => !r.total).map((r) => ({ team: r.team, breaches: r.breaches })),
  };
}

export interface FaqDeflections {
  /** FAQ answers sent in the range. */
  answers: number;
  /** Answers after which the customer asked for a person (before any later answer). */
  escalated: number;
  /** Answers that settled the question: answers − escalated. */
  deflected: number;
  /** deflected / answers; null without answers. */
  rate: number | null;
}

/**
 * FAQ deflections (core/automation/answer-faq.ts records `faq_answer` per answer and `faq_escalated` per "talk to a
 * person" tap): an escalation belongs to the latest answer before it in its conversation.
 */
export async function faqDeflections(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<FaqDeflections> {
  const [row] = await figureRows<FaqDeflections>(db, `
    select answers, escalated, answers - escalated as deflected, round((answers - escalated)::numeric / nullif(answers, 0), 4)::float8 as rate
      from (select count(*)::int as answers,
                   count(*) filter (where exists (
                     select 1 from automation_action e
                      where e.conversation_id = a.conversation_id and e.action = 'faq_escalated' and e.created_at >= a.created_at
                        and not exists (select 1 from automation_action n
                                         where n.conversation_id = a.conversation_id and n.action = 'faq_answer'
                                           and n.created_at > a.created_at and n.created_at <= e.created_at)))::int as escalated
              from automation_action a
              join conversation c on c.id = a.conversation_id and c.workspace_id = :ws
              left join conversation_routing r on r.conversation_id = c.id
             where a.workspace_id = :ws and a.action = 'faq_answer' and a.created_at >= :from and a.created_at < :to and ${SCOPE_SQL}) as counts`,
  filterBindings(workspaceId, filter));
  if (!row) throw new Error('an aggregate without group by returns one row');
  return row;
}
