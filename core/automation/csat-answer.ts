import type { Knex } from 'knex';
import { z } from 'zod';
import type { Metrics } from '../observability/metrics';

/**
 * How core knows a CSAT send without knowing platforms: the sender's id ends in this suffix (Zendesk's solved-ticket
 * trigger sends as `<subdomain>:trigger:csat`). Spelled out in migration 016's partial index too: keep them equal.
 */
export const CSAT_SENDER_SUFFIX = ':csat';
/** An answer a day later rates something else. */
const ANSWER_WINDOW = '24 hours';

export type CsatSource = 'button' | 'text';

const scoreText = z.string().trim().regex(/^[1-5]$/).transform(Number);
const answerBody = z.discriminatedUnion('type', [
  z.object({ type: z.literal('button'), button: z.object({ payload: z.string().optional(), text: z.string() }) }),
  z.object({ type: z.literal('text'), text: z.object({ body: z.string() }) }),
]);

/** A score 1–5 in a template quick-reply tap (its payload, else its text) or a typed digit; undefined otherwise. */
export function csatScoreOf(body: unknown): { score: number; source: CsatSource } | undefined {
  const parsed = answerBody.safeParse(body);
  if (!parsed.success) return undefined;
  if (parsed.data.type === 'text') {
    const typed = scoreText.safeParse(parsed.data.text.body);
    return typed.success ? { score: typed.data, source: 'text' } : undefined;
  }
  const { payload, text } = parsed.data.button;
  const fromPayload = scoreText.safeParse(payload);
  const tapped = fromPayload.success ? fromPayload : scoreText.safeParse(text);
  return tapped.success ? { score: tapped.data, source: 'button' } : undefined;
}

interface CsatSend { id: string; conversation_id: string; answered_by: string | null }

/**
 * The latest CSAT send to this customer on this number in the 24 hours before their message (in any of their
 * conversations there: the answer may open a new one), and whether it was answered already.
 */
async function latestCsatSend(db: Knex, inbound: { workspaceId: string; numberId: string; contactId: string; messageId: string }): Promise<CsatSend | undefined> {
  const answeredAt = db('message').where({ workspace_id: inbound.workspaceId, id: inbound.messageId }).select('sent_at');
  return db('message as m').join('conversation as c', 'c.id', 'm.conversation_id')
    .leftJoin('csat_response as r', 'r.csat_message_id', 'm.id')
    .where({ 'c.workspace_id': inbound.workspaceId, 'c.whatsapp_number_id': inbound.numberId, 'c.contact_id': inbound.contactId, 'm.direction': 'outbound' })
    // Literal, not a parameter, so the planner can use the partial index of migration 016.
    .whereRaw(`m.sent_by->>'id' like '%${CSAT_SENDER_SUFFIX}'`)
    .where('m.sent_at', '<=', answeredAt)
    .where('m.sent_at', '>', db.raw(`(?) - interval '${ANSWER_WINDOW}'`, [answeredAt]))
    .orderBy('m.sent_at', 'desc')
    .first('m.id', 'm.conversation_id', 'r.message_id as answered_by');
}

/** Whether this customer message may answer a CSAT send: the engine's cheap check, so answers are caught on numbers without rules. */
export async function mayAnswerCsat(db: Knex, inbound: { workspaceId: string; numberId: string; contactId: string; messageId: string }): Promise<boolean> {
  const send = await latestCsatSend(db, inbound);
  return send !== undefined && send.answered_by === null;
}

/**
 * Stores the customer's message as the answer to their latest CSAT send when it is a score and that send is
 * unanswered: the first answer counts (unique per send), a retried job stores and counts nothing more.
 * True when this message is the answer (then no other automation answers it).
 */
export async function recordCsatAnswer(
  deps: { db: Knex; metrics: Metrics },
  inbound: { workspaceId: string; numberId: string; contactId: string; messageId: string; body: unknown; sentAt: Date },
): Promise<boolean> {
  const answer = csatScoreOf(inbound.body);
  if (!answer) return false;
  const send = await latestCsatSend(deps.db, inbound);
  if (!send) return false;
  // A retried job finds its own answer: still the answer, counted once.
  if (send.answered_by !== null) return send.answered_by === inbound.messageId;
  const inserted = await deps.db('csat_response').insert({
    workspace_id: inbound.workspaceId, conversation_id: send.conversation_id, csat_message_id: send.id, message_id: inbound.messageId,
    score: answer.score, source: answer.source, answered_at: inbound.sentAt,
  }).onConflict('csat_message_id').ignore().returning('id');
  if (inserted.length === 0) return false;
  deps.metrics.csatResponses.inc({ score: String(answer.score) });
  return true;
}
