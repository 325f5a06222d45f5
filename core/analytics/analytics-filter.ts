import type { Knex } from 'knex';
import { z } from 'zod';

/** What every figure is computed over: [from, to) in UTC, optionally one number and one routed team. */
export interface AnalyticsFilter {
  from: Date;
  /** Exclusive. */
  to: Date;
  numberId?: string | undefined;
  team?: string | undefined;
}

const DAY_MS = 24 * 3600_000;
const MAX_DAYS = 366;
const isoDay = z.iso.date();

/**
 * The filter as a person gives it (query string of the page, the CSV and the API): UTC days, `to` included, so
 * "15 to 21 November" is a week; by default the last 7 days up to today. Empty fields are absent fields.
 */
export const analyticsQueryFields = z.object({
  from: isoDay.optional().describe('First UTC day (YYYY-MM-DD); default 6 days before `to`'),
  to: isoDay.optional().describe('Last UTC day, included (YYYY-MM-DD); default today'),
  number: z.uuid({ message: 'choose a number from the list' }).optional().describe('Only this number (its Threadline id)'),
  team: z.string().min(1).max(64).optional().describe('Only conversations routed to this team'),
});

export const analyticsQuery = analyticsQueryFields.transform((q, ctx) => {
  const toDay = q.to ?? new Date().toISOString().slice(0, 10);
  const to = new Date(Date.parse(`${toDay}T00:00:00Z`) + DAY_MS);
  const from = q.from === undefined ? new Date(to.getTime() - 7 * DAY_MS) : new Date(`${q.from}T00:00:00Z`);
  if (from >= to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be on or before the "to" day' });
  else if (to.getTime() - from.getTime() > MAX_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['from'], message: `the range can span at most ${MAX_DAYS} days` });
  return { from, to, numberId: q.number, team: q.team } satisfies AnalyticsFilter;
});

/** Query strings send empty inputs as ''; the schema reads them as not given. */
export function withoutEmptyFields(query: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '' && v !== undefined));
}

/** The filter's days as a person gave them: `to` is the last day included. */
export function filterDays(filter: AnalyticsFilter): { from: string; to: string } {
  return { from: filter.from.toISOString().slice(0, 10), to: new Date(filter.to.getTime() - DAY_MS).toISOString().slice(0, 10) };
}

/** The named bindings every figure's SQL uses. */
export function filterBindings(workspaceId: string, filter: AnalyticsFilter): Record<string, string | Date | null> {
  return { ws: workspaceId, from: filter.from, to: filter.to, number: filter.numberId ?? null, team: filter.team ?? null };
}

/**
 * The number and team filters on a conversation `c` with its routing `r` (left joined). Written so that a missing
 * conversation (a priced status of an unknown message) passes only when no filter is set.
 */
export const SCOPE_SQL = `(cast(:number as uuid) is null or c.whatsapp_number_id = cast(:number as uuid))
  and (cast(:team as text) is null or r.team = cast(:team as text))`;

/** The rows of one figure's query. */
export async function figureRows<T>(db: Knex, sql: string, bindings: Record<string, string | number | Date | null>): Promise<T[]> {
  const result: { rows: T[] } = await db.raw(sql, bindings);
  return result.rows;
}

/** Whether the number is one of the workspace's: a number of another workspace is no filter but a 404. */
export async function numberInWorkspace(db: Knex, workspaceId: string, numberId: string): Promise<boolean> {
  return Boolean(await db('whatsapp_number').where({ workspace_id: workspaceId, id: numberId }).first('id'));
}

/** The teams conversations of the workspace were routed to, for the team filter. */
export async function routedTeams(db: Knex, workspaceId: string): Promise<string[]> {
  const rows: Array<{ team: string }> = await db('conversation_routing').where({ workspace_id: workspaceId }).whereNotNull('team').distinct('team').orderBy('team');
  return rows.map((r) => r.team);
}
