import type { TestRuntime } from './test-runtime';
import { ADMIN_AUTH } from '../admin/admin-helpers';

/**
 * A bot hands a conversation to a person, as any external bot would: a bot rule (owning only what an admin hands it,
 * so no customer message is forwarded to its unreachable URL), its secret, the conversation handed to it by the admin
 * API, then `POST /api/v1/bot/conversations/:id/handoff` with the secret as Bearer. The bot secret is made once.
 */
export function botHandoff(rt: TestRuntime): (conversationId: string, reason: string) => Promise<void> {
  let secret: string | undefined;
  return async (conversationId, reason) => {
    if (secret === undefined) {
      const rule = await rt.http().put('/api/v1/automation/rules/bot').set('authorization', ADMIN_AUTH)
        .send({ definition: { url: 'http://127.0.0.1:9/bot', timeoutMs: 1_000, ownsNewConversations: false } });
      if (rule.status !== 201) throw new Error(`bot rule not saved: ${rule.status} ${JSON.stringify(rule.body)}`);
      const made = await rt.http().post('/api/v1/automation/bot/secret').set('authorization', ADMIN_AUTH).send({});
      if (made.status !== 201) throw new Error(`bot secret not made: ${made.status}`);
      secret = made.body.secret as string;
    }
    const handed = await rt.http().post(`/api/v1/conversations/${conversationId}/hand-to-bot`).set('authorization', ADMIN_AUTH).send({});
    if (handed.status !== 200) throw new Error(`not handed to the bot: ${handed.status} ${JSON.stringify(handed.body)}`);
    const off = await rt.http().post(`/api/v1/bot/conversations/${conversationId}/handoff`).set('authorization', `Bearer ${secret}`).send({ reason });
    if (off.status >= 300) throw new Error(`handoff refused: ${off.status} ${JSON.stringify(off.body)}`);
  };
}
