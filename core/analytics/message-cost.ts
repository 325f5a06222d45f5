import type { Knex } from 'knex';
import { figureRows, filterBindings, SCOPE_SQL, type AnalyticsFilter } from './analytics-filter';

export interface CostGroup {
  /** The category, number or team (null: unknown number / not routed). */
  key: string | null;
  /** For numbers: the number as people know it. */
  label: string | null;
  /** Messages Meta priced (billable or free). */
  messages: number;
  billable: number;
  /** Billable messages without a price on the rate card: their cost is missing from `cost`. */
  unpriced: number;
  /** Sum of the rate card's prices of the billable messages, as a decimal string; the rate card's currency. */
  cost: string;
}

export interface MessageCost {
  total: CostGroup;
  byCategory: CostGroup[];
  byNumber: CostGroup[];
  byTeam: CostGroup[];
}

/**
 * What the business messages of the range cost: each message Meta priced counted once, on its first status that
 * carried `pricing` (Meta sends it on `sent` and again on `delivered` or `read`, whatsapp.md §3), in the range of
 * that status. Billable: `pricing.type` `regular` (free_customer_service, free_entry_point … are free), or before
 * per-message pricing a `billable: true` without a type. Categories are the rate card's four: marketing_lite counts
 * as marketing, authentication_international as authentication. The price is that of the longest calling code
 * of the recipient on the rate card, else the `default` row's.
 */
export async function messageCost(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<MessageCost> {
  const rows = await figureRows<CostGroup & { grouping: 'total' | 'category' | 'number' | 'team' }>(db, `
    with first_priced as (
      select distinct on (s.wamid) s.wamid, s.recipient_id, s.pricing
        from message_status s
       where s.workspace_id = :ws and s.pricing is not null and s.occurred_at >= :from and s.occurred_at < :to
         and not exists (select 1 from message_status e
                          where e.workspace_id = s.workspace_id and e.wamid = s.wamid and e.pricing is not null and e.occurred_at < s.occurred_at)
       order by s.wamid, s.occurred_at, s.id
    ), priced as (
      select p.wamid, coalesce(p.recipient_id, k.wa_id, '') as recipient, c.whatsapp_number_id as number_id, r.team,
             case replace(p.pricing->>'category', '-', '_')
               when 'marketing_lite' then 'marketing' when 'authentication_international' then 'authentication'
               else coalesce(p.pricing->>'category', 'unknown') end as category,
             coalesce(p.pricing->>'type' = 'regular', p.pricing->>'billable' = 'true', false) as billable
        from first_priced p
        left join message m on m.workspace_id = :ws and m.wamid = p.wamid
        left join conversation c on c.id = m.conversation_id and c.workspace_id = :ws
        left join conversation_routing r on r.conversation_id = c.id
        left join contact k on k.id = c.contact_id
       where ${SCOPE_SQL}
    )
    select case when grouping(category) = 0 then 'category' when grouping(number_id) = 0 then 'number' when grouping(team) = 0 then 'team' else 'total' end as grouping,
           coalesce(category, number_id::text, team) as key,
           case when grouping(number_id) = 0 then min(coalesce(n.display_phone_number, n.verified_name, n.phone_number_id)) end as label,
           count(*)::int as messages, count(*) filter (where billable)::int as billable,
           count(*) filter (where billable and rate.price is null)::int as unpriced,
           trim_scale(coalesce(sum(rate.price) filter (where billable), 0))::text as cost
      from priced
      left join whatsapp_number n on n.id = priced.number_id and n.workspace_id = :ws
      left join lateral (
        select rp.price from rate_card_price rp
         where rp.workspace_id = :ws and rp.category = priced.category and (rp.market = 'default' or priced.recipient like rp.market || '%')
         order by rp.market = 'default', length(rp.market) desc limit 1) rate on true
     group by grouping sets ((), (category), (number_id), (team))
     order by grouping, coalesce(sum(rate.price) filter (where billable), 0) desc, key`, filterBindings(workspaceId, filter));
  const of = (grouping: string) => rows.filter((r) => r.grouping === grouping).map(({ grouping: _, ...group }) => group);
  const total = of('total')[0];
  if (!total) throw new Error('the grouping set () always returns one row');
  return { total, byCategory: of('category'), byNumber: of('number'), byTeam: of('team') };
}
