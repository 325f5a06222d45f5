import { processInboxEvent } from '../../core/engine/process-inbox-event';
import { drainShard } from '../../core/inbox/drain-shard';
import { extractEvents } from '../../core/inbox/extract-events';
import { shardOf } from '../../core/inbox/shard';
import { webhookEnvelope } from '../../core/whatsapp/webhook-payload';
import { textWebhook } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import type { TestRuntime } from './test-runtime';

/**
 * A customer's text on its last attempt, stored for the workspace as the webhook would store it and drained by
 * the engine. The number it came in on is not connected there, so processing throws: a genuine last failure,
 * a dead letter as in production.
 */
export async function deadInboxEvent(rt: TestRuntime, wamid: string, options: { workspaceId?: string; phoneNumberId?: string } = {}): Promise<number> {
  const body = textWebhook({ wamid, from: '15550007777', name: 'Late Customer', timestamp: 1750000000, body: 'did you get this?' })
    .replace(`"phone_number_id": "${fixtureNumber.phoneNumberId}"`, `"phone_number_id": "${options.phoneNumberId ?? fixtureNumber.phoneNumberId}"`);
  const [draft] = extractEvents(webhookEnvelope.parse(JSON.parse(body)));
  if (!draft) throw new Error('no event in the webhook');
  const [row]: { id: number }[] = await rt.db('inbox_event').insert({
    workspace_id: options.workspaceId ?? rt.workspace.id, phone_number_id: draft.phoneNumberId, dedupe_key: draft.dedupeKey, kind: draft.payload.kind,
    conversation_key: draft.conversationKey, shard: shardOf(draft.conversationKey), event_at: draft.eventAt, payload: JSON.stringify(draft.payload),
    state: 'pending', attempts: 9,
  }).returning('id');
  if (!row) throw new Error('inbox row not inserted');
  await drainShard(rt.db, { logger: rt.logger, metrics: rt.metrics }, processInboxEvent, shardOf(draft.conversationKey));
  expect(await rt.db('inbox_event').where({ id: row.id }).first('state', 'attempts')).toEqual({ state: 'dead', attempts: 10 });
  return row.id;
}
