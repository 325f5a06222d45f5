import type { Db } from '../db/connect';

export interface AuditRow {
  id: number;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  data: unknown;
  at: Date;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  entityType?: string;
}

export interface AuditPage {
  entries: AuditRow[];
  /** Cursors for the neighbouring pages, when there are entries there. */
  olderThan?: number;
  newerThan?: number;
}

/**
 * One page of a workspace's audit log, newest first, keyset-paged on the id (entries are written in
 * commit order, so id order is time order): `before` reads older entries, `after` newer ones.
 */
export async function readAuditLog(db: Db, workspaceId: string, filter: AuditFilter, page: { before?: number; after?: number; limit: number }): Promise<AuditPage> {
  const base = () => {
    const q = db('audit_log').where({ workspace_id: workspaceId });
    if (filter.actor) q.where('actor', filter.actor);
    if (filter.action) q.where('action', filter.action);
    if (filter.entityType) q.where('entity_type', filter.entityType);
    return q;
  };
  // One row past the page tells whether there is a page beyond it.
  const q = base().limit(page.limit + 1).select('id', 'actor', 'action', 'entity_type', 'entity_id', 'data', 'at');
  if (page.after !== undefined) q.where('id', '>', page.after).orderBy('id', 'asc');
  else {
    if (page.before !== undefined) q.where('id', '<', page.before);
    q.orderBy('id', 'desc');
  }
  const rows: AuditRow[] = await q;
  const more = rows.length > page.limit;
  const entries = rows.slice(0, page.limit);
  if (page.after !== undefined) entries.reverse();
  const first = entries[0];
  const last = entries.at(-1);
  if (!first || !last) return { entries };
  // Whether the other side has entries: known from the extra row on the way we read, one cheap probe the other way.
  const olderExists = page.after === undefined ? more : Boolean(await base().where('id', '<', last.id).first('id'));
  const newerExists = page.after !== undefined ? more : page.before !== undefined && Boolean(await base().where('id', '>', first.id).first('id'));
  return { entries, olderThan: olderExists ? last.id : undefined, newerThan: newerExists ? first.id : undefined };
}

/** The actors, actions and entity types a workspace's log holds, for its filters. */
export async function auditFilterChoices(db: Db, workspaceId: string): Promise<{ actors: string[]; actions: string[]; entityTypes: string[] }> {
  const distinct = async (column: string): Promise<string[]> => {
    const rows: Array<Record<string, string>> = await db('audit_log').where({ workspace_id: workspaceId }).distinct(column).orderBy(column).limit(500);
    return rows.map((r) => String(r[column]));
  };
  const [actors, actions, entityTypes] = await Promise.all([distinct('actor'), distinct('action'), distinct('entity_type')]);
  return { actors, actions, entityTypes };
}

/** Keys whose values are never shown, whatever a writer put in `data` (the same names the logger redacts, and kin). */
const SECRET_KEY = /secret|token|password|passwd|credential|authorization|api[-_]?key|signature|cookie|private[-_]?key/i;
const MAX_VALUE = 120;
const MAX_FIELDS = 8;

export interface AuditDataSummary {
  fields: Array<{ key: string; value: string }>;
  /** How many more fields there were than shown. */
  more: number;
}

/**
 * A compact, readable view of an entry's `data`: nested objects flattened to dotted keys, long values
 * cut, secret-looking keys hidden.
 */
export function summarizeAuditData(data: unknown): AuditDataSummary {
  const fields: Array<{ key: string; value: string }> = [];
  const walk = (value: unknown, key: string, depth: number): void => {
    if (key && SECRET_KEY.test(key.split('.').at(-1) ?? '')) {
      fields.push({ key, value: '[hidden]' });
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < 3) {
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k, depth + 1);
      return;
    }
    if (value === null || value === undefined || value === '') return;
    const text = typeof value === 'string' ? value : JSON.stringify(value, (k, v: unknown) => (k && SECRET_KEY.test(k) ? '[hidden]' : v));
    fields.push({ key: key || 'value', value: text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text });
  };
  walk(data, '', 0);
  return { fields: fields.slice(0, MAX_FIELDS), more: Math.max(0, fields.length - MAX_FIELDS) };
}
