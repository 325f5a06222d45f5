import type { Knex } from 'knex';
import type { Db } from '../db/connect';

export interface ConversationFilter {
  status?: 'open' | 'pending' | 'closed';
  phoneNumberId?: string;
  /** Who holds it: part of the assignee's name, or their exact id on their platform. */
  assignee?: string;
  /** Held on this platform (`assignee_platform`), or linked to a record of one of its installations (a connector id). */
  platform?: string;
  /** Last active at or after `activeFrom` and before `activeBefore`. */
  activeFrom?: Date;
  activeBefore?: Date;
  /** Part of a message's text or the contact's name; digits also match the contact's phone number. */
  text?: string;
  limit?: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
}

export interface ConversationSummary {
  id: string;
  status: string;
  phone_number_id: string;
  contact: { id: string; wa_id: string | null; user_id: string | null; username: string | null; profile_name: string | null };
  assignee: { platform: string; id: string; name: string | null } | null;
  last_message_at: Date;
  last_inbound_at: Date | null;
  window_expires_at: Date | null;
  window_open: boolean;
  opened_at: Date;
  closed_at: Date | null;
}

interface ConversationRow {
  id: string; status: string; phone_number_id: string; contact_id: string; wa_id: string | null; user_id: string | null; username: string | null;
  profile_name: string | null; assignee_platform: string | null; assignee_id: string | null; assignee_name: string | null; last_message_at: Date;
  last_inbound_at: Date | null; window_expires_at: Date | null; opened_at: Date; closed_at: Date | null; cursor_at: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** The cursor keeps PostgreSQL's microseconds: a JS Date would round them away and skip rows. */
const encodeCursor = (row: { cursor_at: string; id: string }) => Buffer.from(`${row.cursor_at}|${row.id}`).toString('base64url');
function decodeCursor(cursor: string): { at: string; id: string } | null {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !CURSOR_AT.test(at) || !id || !UUID.test(id) || rest.length > 0) return null;
  // Only real instants: JS Date rolls 2025-02-30 over to March, PostgreSQL would reject it.
  const date = new Date(at);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === at.slice(0, 19) ? { at, id } : null;
}

function baseQuery(db: Db, workspaceId: string) {
  return db('conversation as c')
    .join('contact as k', 'k.id', 'c.contact_id')
    .join('whatsapp_number as n', 'n.id', 'c.whatsapp_number_id')
    .where('c.workspace_id', workspaceId)
    .select('c.id', 'c.status', 'n.phone_number_id', 'c.contact_id', 'k.wa_id', 'k.user_id', 'k.username', 'k.profile_name', 'c.assignee_platform',
      'c.assignee_id', 'c.assignee_name', 'c.last_message_at', 'c.last_inbound_at', 'c.window_expires_at', 'c.opened_at', 'c.closed_at',
      db.raw(`to_char(c.last_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at`));
}

/** A LIKE pattern that finds `text` anywhere: the user's own `%`, `_` and `\` match themselves. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The filters beyond status and number. Text and platform are each one uncorrelated subquery (hashed once, then
 * probed per row), so the newest-first walk of (workspace_id, last_message_at) stays the plan; the trigram indexes
 * of migration 020 serve the `ilike`s.
 */
function applySearch(db: Db, q: Knex.QueryBuilder, workspaceId: string, filter: ConversationFilter): void {
  const assignee = filter.assignee?.trim();
  if (assignee) q.where((w) => w.whereILike('c.assignee_name', containing(assignee)).orWhere('c.assignee_id', assignee));
  if (filter.platform) {
    const platform = filter.platform;
    const linked = db('external_link as l').join('installation as i', 'i.id', 'l.installation_id')
      .where({ 'l.workspace_id': workspaceId, 'i.workspace_id': workspaceId, 'i.connector': platform, 'l.entity_type': 'conversation' }).select('l.entity_id');
    q.where((w) => w.where('c.assignee_platform', platform).orWhereIn('c.id', linked));
  }
  if (filter.activeFrom) q.where('c.last_message_at', '>=', filter.activeFrom);
  if (filter.activeBefore) q.where('c.last_message_at', '<', filter.activeBefore);
  const text = filter.text?.trim();
  if (text) {
    const digits = text.replace(/[\s()+.-]/g, '');
    const inMessages = db('message as m').where('m.workspace_id', workspaceId).whereILike('m.text', containing(text)).select('m.conversation_id');
    q.where((w) => {
      w.whereILike('k.profile_name', containing(text)).orWhereIn('c.id', inMessages);
      if (/^\d{3,}$/.test(digits)) w.orWhereLike('k.wa_id', containing(digits));
    });
  }
}

function toSummary(r: ConversationRow, now: Date): ConversationSummary {
  return {
    id: r.id,
    status: r.status,
    phone_number_id: r.phone_number_id,
    contact: { id: r.contact_id, wa_id: r.wa_id, user_id: r.user_id, username: r.username, profile_name: r.profile_name },
    assignee: r.assignee_platform && r.assignee_id ? { platform: r.assignee_platform, id: r.assignee_id, name: r.assignee_name } : null,
    last_message_at: r.last_message_at,
    last_inbound_at: r.last_inbound_at,
    window_expires_at: r.window_expires_at,
    window_open: r.window_expires_at !== null && r.window_expires_at > now,
    opened_at: r.opened_at,
    closed_at: r.closed_at,
  };
}

/** Most recently active first, keyset-paginated so pages stay stable while messages arrive; filtered as `filter` says. */
export async function listConversations(db: Db, workspaceId: string, filter: ConversationFilter = {}): Promise<{ items: ConversationSummary[]; nextCursor: string | null } | { error: 'INVALID_CURSOR' }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const q = baseQuery(db, workspaceId);
  if (filter.status) q.where('c.status', filter.status);
  if (filter.phoneNumberId) q.where('n.phone_number_id', filter.phoneNumberId);
  applySearch(db, q, workspaceId, filter);
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor);
    if (!c) return { error: 'INVALID_CURSOR' };
    q.whereRaw('(c.last_message_at, c.id) < (?::timestamptz, ?::uuid)', [c.at, c.id]);
  }
  const rows: ConversationRow[] = await q.orderBy([{ column: 'c.last_message_at', order: 'desc' }, { column: 'c.id', order: 'desc' }]).limit(limit + 1);
  const now = new Date();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => toSummary(r, now)), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export interface MessageView {
  id: string; wamid: string; direction: string; type: string; body: unknown; text: string | null; status: string; status_at: Date | null;
  error: { code: number; title: string | null; details: string | null } | null; context_wamid: string | null; forwarded: boolean;
  reactions: Record<string, string>; sent_at: Date;
  media: { id: string; mime_type: string; filename: string | null; state: string; size_bytes: number | null } | null;
  statuses: { status: string; occurred_at: Date; errors: unknown }[];
}

interface MessageRow {
  id: string; wamid: string; direction: string; type: string; body: unknown; text: string | null; status: string; status_at: Date | null;
  error_code: number | null; error_title: string | null; error_details: string | null; context_wamid: string | null; forwarded: boolean;
  reactions: Record<string, string>; sent_at: Date; media_id: string | null; mime_type: string; filename: string | null; media_state: string; size_bytes: number | null;
}

/** One conversation with its messages (oldest first), their media and full status history. */
export async function readConversation(db: Db, workspaceId: string, conversationId: string): Promise<(ConversationSummary & { messages: MessageView[] }) | null> {
  if (!UUID.test(conversationId)) return null;
  const row: ConversationRow | undefined = await baseQuery(db, workspaceId).where('c.id', conversationId).first();
  if (!row) return null;
  const messages: MessageRow[] = await db('message as m')
    .leftJoin('media as d', 'd.message_id', 'm.id')
    .where({ 'm.workspace_id': workspaceId, 'm.conversation_id': conversationId })
    .orderBy([{ column: 'm.sent_at' }, { column: 'm.created_at' }])
    .select('m.id', 'm.wamid', 'm.direction', 'm.type', 'm.body', 'm.text', 'm.status', 'm.status_at', 'm.error_code', 'm.error_title', 'm.error_details',
      'm.context_wamid', 'm.forwarded', 'm.reactions', 'm.sent_at', 'd.id as media_id', 'd.mime_type', 'd.filename', 'd.state as media_state', 'd.size_bytes');
  const wamids = messages.map((m) => m.wamid);
  const history: { wamid: string; status: string; occurred_at: Date; errors: unknown }[] = wamids.length
    ? await db('message_status').where('workspace_id', workspaceId).whereIn('wamid', wamids).orderBy('occurred_at').select('wamid', 'status', 'occurred_at', 'errors')
    : [];
  const byWamid = new Map<string, MessageView['statuses']>();
  for (const { wamid, status, occurred_at, errors } of history) {
    byWamid.set(wamid, [...(byWamid.get(wamid) ?? []), { status, occurred_at, errors }]);
  }
  const views: MessageView[] = messages.map((m) => ({
    id: m.id, wamid: m.wamid, direction: m.direction, type: m.type, body: m.body, text: m.text, status: m.status, status_at: m.status_at,
    error: m.error_code ? { code: m.error_code, title: m.error_title, details: m.error_details } : null,
    context_wamid: m.context_wamid, forwarded: m.forwarded, reactions: m.reactions, sent_at: m.sent_at,
    media: m.media_id ? { id: m.media_id, mime_type: m.mime_type, filename: m.filename, state: m.media_state, size_bytes: m.size_bytes } : null,
    statuses: byWamid.get(m.wamid) ?? [],
  }));
  return { ...toSummary(row, new Date()), messages: views };
}

/**
 * The conversation a platform record of these contacts (a CRM contact, or a deal's contacts) stands for: the live
 * one (not closed) most recently active, else the most recent; on one number when given. Null when they have none.
 */
export async function latestConversationOfContacts(db: Db, workspaceId: string, contactIds: readonly string[], phoneNumberId?: string): Promise<string | null> {
  const ids = contactIds.filter((id) => UUID.test(id));
  if (ids.length === 0) return null;
  const query = db('conversation as c').where('c.workspace_id', workspaceId).whereIn('c.contact_id', ids);
  if (phoneNumberId !== undefined) query.join('whatsapp_number as n', 'n.id', 'c.whatsapp_number_id').where('n.phone_number_id', phoneNumberId);
  const row: { id: string } | undefined = await query.orderByRaw(`c.status <> 'closed' desc, c.last_message_at desc`).first('c.id');
  return row?.id ?? null;
}
