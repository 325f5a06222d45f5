import type { Task } from 'graphile-worker';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import { loadNumberAccess, markNumberNeedsAttention } from '../numbers/number-access';
import type { Logger } from '../observability/logger';
import type { GraphClient } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';

export const MARK_READ_TASK = 'whatsapp.mark_read';

const payloadSchema = z.object({ workspaceId: z.string().uuid(), messageId: z.string().uuid(), typing: z.boolean().optional() });

/**
 * Sends the blue ticks (and optionally the typing indicator) for an inbound message, as the
 * number's read-receipt policy decided. A permanent refusal (e.g. a message older than 30 days)
 * is logged and dropped: a read receipt is not worth a dead letter.
 */
export function markReadTask(deps: { db: Db; graph: GraphClient; secrets: SecretBox; logger: Logger }): Task {
  return async (payload) => {
    const { workspaceId, messageId, typing } = payloadSchema.parse(payload);
    const message: { wamid: string; whatsapp_number_id: string } | undefined = await deps.db('message as m')
      .join('conversation as c', 'c.id', 'm.conversation_id')
      .where({ 'm.id': messageId, 'm.workspace_id': workspaceId, 'm.direction': 'inbound' })
      .first('m.wamid', 'c.whatsapp_number_id');
    if (!message) return;
    const access = await loadNumberAccess(deps.db, deps.secrets, workspaceId, message.whatsapp_number_id);
    if (!access) return;
    try {
      await deps.graph.markAsRead(access.phoneNumberId, access.token, message.wamid, { typing });
    } catch (err) {
      if (!(err instanceof GraphApiError) || err.kind === 'retryable') throw err;
      if (err.kind === 'token') {
        // Retrying with the token Meta just rejected cannot help; the admin is told through the number's state.
        await markNumberNeedsAttention(deps.db, workspaceId, access.id, `mark as read: ${err.message}`);
        deps.logger.warn({ err, messageId }, 'read receipt not sent: Meta rejected the number\'s token');
        return;
      }
      deps.logger.info({ err, messageId }, 'read receipt refused by Meta; not retried');
    }
  };
}
