import type { Knex } from 'knex';
import { enqueueSend } from './enqueue-send';
import { markAccepted } from './send-outcome';

/**
 * How long a send cut off mid-call waits for Meta's status webhook before it is sent again. Meta redelivers
 * webhooks "immediately, then with decreasing frequency": a message it took is heard of within this time
 * once we are up; after it, a second send is the lesser harm than a reply that never goes.
 */
export const UNKNOWN_OUTCOME_GRACE_MS = 60_000;
const RECHECK_MS = 1_000;
/** Meta's status timestamps are whole seconds of its clock, not ours. */
const CLOCK_SKEW_SECONDS = 60;

export interface InFlightRequest {
  id: string;
  message_id: string;
  whatsapp_number_id: string;
  contact_id: string;
  wa_id: string | null;
  in_flight_at: Date | null;
  outcome_wait_since: Date | null;
}

/**
 * A request whose previous attempt died between the Graph call and recording Meta's answer (a crash, a kill,
 * the database gone). Meta may have sent it, and has no idempotency key: look for the `sent` status of a
 * message to this customer that no stored message claims, after the attempt began. Sends to one customer
 * run one at a time (enqueue-send.ts), so such a status is this message's. Returns 'send' when the task
 * should send after all, 'settled' when it is accepted or rescheduled to look again.
 */
export async function settleUnknownOutcome(db: Knex, workspaceId: string, request: InFlightRequest, attempts: number): Promise<'send' | 'settled'> {
  if (!request.in_flight_at || !request.wa_id) return 'send';
  const orphan: { wamid: string } | undefined = await db('message_status as s')
    .where({ 's.workspace_id': workspaceId, 's.recipient_id': request.wa_id, 's.applied': false })
    .where('s.occurred_at', '>=', db.raw('?::timestamptz - make_interval(secs => ?)', [request.in_flight_at, CLOCK_SKEW_SECONDS]))
    .whereNotExists(db('message as m').whereRaw('m.workspace_id = s.workspace_id and m.wamid = s.wamid'))
    .orderBy('s.occurred_at')
    .first('s.wamid');
  if (orphan) {
    await markAccepted(db, workspaceId, request.id, request.message_id, orphan.wamid, attempts);
    return 'settled';
  }
  const since = request.outcome_wait_since ?? new Date();
  if (Date.now() - since.getTime() >= UNKNOWN_OUTCOME_GRACE_MS) {
    await db('outbound_request').where({ workspace_id: workspaceId, id: request.id }).update({ in_flight_at: null, outcome_wait_since: null, updated_at: db.fn.now() });
    return 'send';
  }
  await db.transaction(async (trx) => {
    await trx('outbound_request').where({ workspace_id: workspaceId, id: request.id }).update({ outcome_wait_since: since, updated_at: trx.fn.now() });
    await enqueueSend(trx, { workspaceId, requestId: request.id, numberId: request.whatsapp_number_id, contactId: request.contact_id, delayMs: RECHECK_MS });
  });
  return 'settled';
}
