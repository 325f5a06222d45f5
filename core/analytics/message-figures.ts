import type { Knex } from 'knex';
import { figureRows, filterBindings, SCOPE_SQL, type AnalyticsFilter } from './analytics-filter';

/**
 * The messages a volume figure counts: every customer message, and every business message WhatsApp accepted (it has
 * a wamid; one refused at once never left). `sent_at` is WhatsApp's time, so days and hours are the customer's clock
 * in UTC, whenever the webhook arrived.
 */
const COUNTED_MESSAGES = `
  select m.direction, m.sent_at
    from message m
    join conversation c on c.id = m.conversation_id and c.workspace_id = :ws
    left join conversation_routing r on r.conversation_id = c.id
   where m.workspace_id = :ws and m.sent_at >= :from and m.sent_at < :to
     and (m.direction = 'inbound' or m.wamid is not null)
     and ${SCOPE_SQL}`;

export interface DailyMessages {
  /** YYYY-MM-DD, UTC; every day of the range, days without messages included. */
  day: string;
  inbound: number;
  outbound: number;
}

export async function messagesPerDay(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<DailyMessages[]> {
  return figureRows<DailyMessages>(db, `
    with counted as (${COUNTED_MESSAGES})
    select to_char(d.day, 'YYYY-MM-DD') as day,
           count(m.sent_at) filter (where m.direction = 'inbound')::int as inbound,
           count(m.sent_at) filter (where m.direction = 'outbound')::int as outbound
      from generate_series(cast(:from as timestamptz) at time zone 'UTC', cast(:to as timestamptz) at time zone 'UTC' - interval '1 day', interval '1 day') as d(day)
      left join counted m on m.sent_at at time zone 'UTC' >= d.day and m.sent_at at time zone 'UTC' < d.day + interval '1 day'
     group by d.day order by d.day`, filterBindings(workspaceId, filter));
}

export interface HourlyMessages {
  /** 0–23, UTC. */
  hour: number;
  inbound: number;
  outbound: number;
}

/** Messages by hour of the day (UTC) over the whole range: when customers write, and when the business answers. */
export async function volumeByHour(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<HourlyMessages[]> {
  return figureRows<HourlyMessages>(db, `
    with counted as (${COUNTED_MESSAGES})
    select h.hour,
           count(m.sent_at) filter (where m.direction = 'inbound')::int as inbound,
           count(m.sent_at) filter (where m.direction = 'outbound')::int as outbound
      from generate_series(0, 23) as h(hour)
      left join counted m on extract(hour from m.sent_at at time zone 'UTC') = h.hour
     group by h.hour order by h.hour`, filterBindings(workspaceId, filter));
}

export interface DeliveryFigures {
  /** Business messages WhatsApp accepted. */
  sent: number;
  /** Of those, delivered or read (a played voice message was delivered and heard). */
  delivered: number;
  read: number;
  failed: number;
  /** delivered / sent; null when nothing was sent. */
  deliveryRate: number | null;
  /** read / delivered; null when nothing was delivered. */
  readRate: number | null;
}

/** Statuses only move forward (DESIGN.md §2), so a message's status is the furthest it got. */
export async function deliveryFigures(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<DeliveryFigures> {
  const [row] = await figureRows<DeliveryFigures>(db, `
    select sent, delivered, read, failed,
           round(delivered::numeric / nullif(sent, 0), 4)::float8 as "deliveryRate",
           round(read::numeric / nullif(delivered, 0), 4)::float8 as "readRate"
      from (select count(*)::int as sent,
                   count(*) filter (where m.status in ('delivered', 'read', 'played'))::int as delivered,
                   count(*) filter (where m.status in ('read', 'played'))::int as read,
                   count(*) filter (where m.status = 'failed')::int as failed
              from message m
              join conversation c on c.id = m.conversation_id and c.workspace_id = :ws
              left join conversation_routing r on r.conversation_id = c.id
             where m.workspace_id = :ws and m.direction = 'outbound' and m.wamid is not null
               and m.sent_at >= :from and m.sent_at < :to and ${SCOPE_SQL}) as counts`, filterBindings(workspaceId, filter));
  if (!row) throw new Error('an aggregate without group by returns one row');
  return row;
}

export interface FailureCount {
  /** Meta's error code; null when the failure carried none. */
  code: number | null;
  /** The title Meta gave most often for the code. */
  title: string | null;
  count: number;
}

/** Business messages that failed, refused at once or by a later `failed` status, by error code. */
export async function failuresByCode(db: Knex, workspaceId: string, filter: AnalyticsFilter): Promise<FailureCount[]> {
  return figureRows<FailureCount>(db, `
    select m.error_code as code, mode() within group (order by m.error_title) as title, count(*)::int as count
      from message m
      join conversation c on c.id = m.conversation_id and c.workspace_id = :ws
      left join conversation_routing r on r.conversation_id = c.id
     where m.workspace_id = :ws and m.direction = 'outbound' and m.status = 'failed'
       and m.sent_at >= :from and m.sent_at < :to and ${SCOPE_SQL}
     group by m.error_code order by count desc, m.error_code nulls last`, filterBindings(workspaceId, filter));
}
