import type { Knex } from 'knex';
import type { MessageBody } from './message-body';
import type { MessageContext } from './message-context';
import { preparedQuery } from './prepared-query';
import type { SqlPart } from './sql-part';

export interface InboundMessage {
  workspaceId: string;
  wamid: string;
  body: MessageBody;
  text: string;
  context: MessageContext;
  sentAt: Date;
}

/**
 * Inserts an inbound message into the thread that `threadWrite` updates, in one statement (the
 * thread write is its CTE). Null when the wamid is stored already: a redelivery adds nothing.
 */
export async function storeInboundMessage(trx: Knex.Transaction, threadWrite: SqlPart, message: InboundMessage): Promise<{ id: string } | null> {
  const { context } = message;
  const result = await preparedQuery<{ id: string }>(trx,
    `with thread as (${threadWrite.sql})
     insert into message (workspace_id, conversation_id, wamid, direction, type, body, text, context_wamid, forwarded, frequently_forwarded, referral, referred_product, status, sent_at)
     select ?, thread.id, ?, 'inbound', ?, ?::jsonb, ?, ?, ?, ?, ?::jsonb, ?::jsonb, 'received', ? from thread
     on conflict (workspace_id, wamid) do nothing
     returning id`,
    [
      ...threadWrite.bindings,
      message.workspaceId, message.wamid, message.body.type, JSON.stringify(message.body), message.text, context.contextWamid,
      context.forwarded, context.frequentlyForwarded,
      context.referral ? JSON.stringify(context.referral) : null, context.referredProduct ? JSON.stringify(context.referredProduct) : null,
      message.sentAt,
    ],
  );
  return result.rows[0] ?? null;
}
