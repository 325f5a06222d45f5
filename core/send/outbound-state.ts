import type { Knex } from 'knex';

/** Where a send stands, as callers (platforms, the admin API) see it. */
export interface OutboundState {
  requestId: string;
  messageId: string;
  conversationId: string;
  /** queued (waiting for Meta or a retry) | accepted (Meta answered with a wamid) | failed */
  state: 'queued' | 'accepted' | 'failed';
  /** The message's delivery status: pending, sent, delivered, read, failed. */
  messageStatus: string;
  wamid: string | null;
  attempts: number;
  error: { code: string | number | null; message: string | null; details: string | null } | null;
}

interface Row {
  id: string;
  message_id: string;
  conversation_id: string;
  state: OutboundState['state'];
  attempts: number;
  last_error: { code?: string | number; message?: string; details?: string } | null;
  wamid: string | null;
  status: string;
  error_code: number | null;
  error_title: string | null;
  error_details: string | null;
}

export async function readOutbound(db: Knex, workspaceId: string, requestId: string): Promise<OutboundState | null> {
  const row: Row | undefined = await db('outbound_request as r')
    .join('message as m', function joinMessage() { this.on('m.id', 'r.message_id').andOn('m.workspace_id', 'r.workspace_id'); })
    .where({ 'r.workspace_id': workspaceId, 'r.id': requestId })
    .first('r.id', 'r.message_id', 'r.conversation_id', 'r.state', 'r.attempts', 'r.last_error', 'm.wamid', 'm.status', 'm.error_code', 'm.error_title', 'm.error_details');
  if (!row) return null;
  // A late failed status lands on the message, not the request: the message's error wins.
  const error = row.status === 'failed'
    ? { code: row.error_code ?? row.last_error?.code ?? null, message: row.error_title ?? row.last_error?.message ?? null, details: row.error_details ?? row.last_error?.details ?? null }
    : row.last_error ? { code: row.last_error.code ?? null, message: row.last_error.message ?? null, details: row.last_error.details ?? null } : null;
  return {
    requestId: row.id,
    messageId: row.message_id,
    conversationId: row.conversation_id,
    state: row.status === 'failed' ? 'failed' : row.state,
    messageStatus: row.status,
    wamid: row.wamid,
    attempts: row.attempts,
    error,
  };
}
