import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import { enqueueJob } from '../engine/enqueue-job';
import type { Logger } from '../observability/logger';
import { send } from '../send/send-message';
import { ruleInForce } from './rules';

export const CLOSING_MESSAGE_TASK = 'automation.closing_message';

const payloadSchema = z.object({ workspaceId: z.uuid(), conversationId: z.uuid(), numberId: z.uuid(), closedAt: z.iso.datetime({ offset: true }) });

/** Called where a conversation is closed, in that transaction: a job only when a closing rule is on for the number. */
export async function enqueueClosingMessage(trx: Knex.Transaction, args: { workspaceId: string; conversationId: string; numberId: string; closedAt: Date }): Promise<void> {
  if (!(await ruleInForce(trx, args.workspaceId, args.numberId, 'closing'))) return;
  await enqueueJob(trx, CLOSING_MESSAGE_TASK, { ...args, closedAt: args.closedAt.toISOString() }, 5);
}

/**
 * Sends the closing message ("anything else?") once per closing: the closing time is in the send's key, so a
 * conversation closed, reopened and closed again gets it again. Nothing is sent when the conversation was
 * reopened meanwhile, or outside the customer's window (the send policy refuses: only templates go then).
 */
export function closingMessageTask(deps: { db: Knex; logger: Logger }): Task {
  return async (payload) => {
    const job = payloadSchema.parse(payload);
    const rule = await ruleInForce(deps.db, job.workspaceId, job.numberId, 'closing');
    if (!rule) return;
    const row: { status: string } | undefined = await deps.db('conversation').where({ workspace_id: job.workspaceId, id: job.conversationId }).first('status');
    if (row?.status !== 'closed') return;
    const result = await send({ db: deps.db }, {
      workspaceId: job.workspaceId,
      conversationId: job.conversationId,
      idempotencyKey: `automation:closing:${job.conversationId}:${job.closedAt}`,
      sender: { platform: 'threadline', id: 'automation:closing', name: 'Closing message' },
      content: { type: 'text', body: rule.message },
    });
    if (!result.ok) deps.logger.info({ conversationId: job.conversationId, code: result.error.code }, 'closing message not sent');
  };
}
