import type { Knex } from 'knex';
import type { Logger } from '../observability/logger';
import { send } from '../send/send-message';
import { bestAnswer } from './faq-match';
import { ruleInForce } from './rules';

/** The id of the button under every FAQ answer. */
export const HUMAN_CHOICE_ID = 'faq:human';

export interface FaqMessage {
  workspaceId: string;
  conversationId: string;
  numberId: string;
  messageId: string;
  choiceId: string | undefined;
  text: string;
}

/**
 * FAQ answers (issue 7 item 3): a question an entry answers gets that answer, with a button to ask for a person;
 * the answer is recorded as an `faq_answer` action (a deflection unless the customer then asks for a person, an
 * `faq_escalated` one). Nothing is answered once a person holds the conversation. `answered` tells the caller
 * to leave this message to the customer; `escalated` that they asked for a person (routing takes over).
 */
export async function answerFaq(deps: { db: Knex; logger: Logger }, message: FaqMessage): Promise<'answered' | 'escalated' | 'none'> {
  const faq = await ruleInForce(deps.db, message.workspaceId, message.numberId, 'faq');
  if (!faq) return 'none';
  if (message.choiceId === HUMAN_CHOICE_ID) {
    await record(deps.db, message, 'faq_escalated', null);
    return 'escalated';
  }
  const held: { assignee_id: string | null } | undefined = await deps.db('conversation').where({ workspace_id: message.workspaceId, id: message.conversationId }).first('assignee_id');
  if (held?.assignee_id) return 'none';
  const best = bestAnswer(faq, message.text);
  const entry = best && faq.entries[best.index];
  if (!entry) return 'none';
  const result = await send({ db: deps.db }, {
    workspaceId: message.workspaceId,
    conversationId: message.conversationId,
    idempotencyKey: `automation:faq:${message.messageId}`,
    sender: { platform: 'threadline', id: 'automation:faq', name: 'FAQ answer' },
    content: {
      type: 'interactive',
      interactive: { type: 'button', body: { text: entry.answer }, action: { buttons: [{ type: 'reply', reply: { id: HUMAN_CHOICE_ID, title: faq.humanButton } }] } },
    },
  });
  if (!result.ok) {
    deps.logger.info({ conversationId: message.conversationId, code: result.error.code }, 'FAQ answer not sent');
    return 'none';
  }
  await record(deps.db, message, 'faq_answer', result.outbound.messageId);
  return 'answered';
}

async function record(db: Knex, message: FaqMessage, action: string, sentMessageId: string | null): Promise<void> {
  await db('automation_action').insert({
    workspace_id: message.workspaceId, conversation_id: message.conversationId, action, period_key: message.messageId, message_id: sentMessageId,
  }).onConflict(['conversation_id', 'action', 'period_key']).ignore();
}
