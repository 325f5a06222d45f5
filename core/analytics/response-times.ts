import type { Knex } from 'knex';
import { figureRows, filterBindings, SCOPE_SQL, type AnalyticsFilter } from './analytics-filter';

/**
 * An outbound message `o` a person or an agent wrote, not an automation: Threadline's own automations send as
 * platform `threadline` (as core/automation/sla-timers.ts counts them), a HubSpot workflow as `<portal>:workflow`,
 * a platform's CSAT survey as `…:csat`. Replies of a bot (platform `bot`) are an agent's and count.
 */
export const AGENT_REPLY_SQL = `coalesce(o.sent_by->>'platform', 'threadline') <> 'threadline'
  and o.sent_by->>'id' not like '%:workflow' and o.sent_by->>'id' not like '%:csat'`;

/**
 * Each conversation of the workspace within the filter, with its first customer message (`asked_at`), the first
 * agent reply after it (`replied_at`) and where that reply was written (`platform`), and its routed team.
 * `cohort` narrows the conversations before their first message is looked up, `asked` by their first message.
 */
function conversationTimes(cohort: string, asked: string): string {
  return `
    with asked as (
      select c.id, c.closed_at, r.team,
             (select min(i.sent_at) from message i where i.conversation_id = c.id and i.direction = 'inbound') as asked_at
        from conversation c
        left join conversation_routing r on r.conversation_id = c.id
       where c.workspace_id = :ws and ${SCOPE_SQL} and ${cohort}
    ), times as (
      select a.*, reply.sent_at as replied_at, reply.platform
        from asked a
        left join lateral (
          select o.sent_at, o.sent_by->>'platform' as platform
            from message o
           where o.conversation_id = a.id and o.direction = 'outbound' and o.sent_at >= a.asked_at and ${AGENT_REPLY_SQL}
           order by o.sent_at, o.created_at limit 1) reply on true
       where a.asked_at is not null and ${asked}
    )`;
}

export interface DurationGroup {
  /** `all`, or the dimension of `key`. */
  by: 'all' | 'team' | 'platform';
  /** The team or platform; null: not routed / no reply yet. */
  key: string | null;
  conversations: number;
  /** Conversations measured (answered, or resolved). */
  measured: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

/** One query, three groupings: all conversations, by team and by platform. */
function durationGroups(measure: string): string {
  return `
    select case when grouping(team) = 0 then 'team' when grouping(platform) = 0 then 'platform' else 'all' end as "by",
           case when grouping(team) = 0 then team else platform end as key,
           count(*)::int as conversations, count(${measure})::int as measured,
           round(percentile_cont(0.5) within group (order by extract(epoch from ${measure}))::numeric, 1)::float8 as "medianSeconds",
           round(percentile_cont(0.9) within group (order by extract(epoch from ${measure}))::numeric, 1)::float8 as "p90Seconds"
      from times
     group by grouping sets ((), (team), (platform))
     order by "by", key nulls last`;
}

/**
 * First-response time: from a conversation's first customer message to the first reply a person or agent wrote
 * after it, for the conversations whose first customer message falls in the range (unanswered ones are counted,
 * not measured). By the team it was routed to and by the platform the reply came from.
 */
export async function firstResponseTimes(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<DurationGroup[]> {
  // A conversation whose last message is before the range cannot have its first one in it.
  const sql = `${conversationTimes('c.last_message_at >= :from', 'a.asked_at >= :from and a.asked_at < :to')} ${durationGroups('(replied_at - asked_at)')}`;
  return figureRows<DurationGroup>(db, sql, filterBindings(workspaceId, filter));
}

/**
 * Resolution time: from the first customer message to the close, for the conversations closed in the range; by
 * routed team and by the platform of the first reply (null: closed without one).
 */
export async function resolutionTimes(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<DurationGroup[]> {
  const sql = `${conversationTimes('c.closed_at >= :from and c.closed_at < :to', 'true')} ${durationGroups('(closed_at - asked_at)')}`;
  return figureRows<DurationGroup>(db, sql, filterBindings(workspaceId, filter));
}
