import crypto from 'node:crypto';
import { sendFromPlatform } from '../../core/send/reply-adapter';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { SENDER, seedTemplates, startSendHarness, type SendHarness } from './send-harness';

/**
 * A platform's template inside the 24-hour window is a person's reply and not held by the outbound_limits
 * guard rails; the same template marked `unattended` (a platform automation, such as Zendesk's CSAT trigger) is.
 */
let h: SendHarness;

beforeAll(async () => {
  h = await startSendHarness();
  await seedTemplates(h);
  const rule = await h.api().put('/api/v1/automation/rules/outbound_limits').set('authorization', ADMIN_AUTH).send({ definition: { utility: { max: 1, perDays: 7 } } });
  expect(rule.status).toBe(201);
});
afterAll(async () => {
  await h?.stop();
});

test('inside the window the frequency cap holds an unattended template, not a person\'s', async () => {
  const conversationId = await h.conversationWith('4915100000201', 1);
  const send = (unattended: boolean) => sendFromPlatform({ db: h.rt.db })({
    workspaceId: h.rt.workspace.id, originInstallationId: crypto.randomUUID(), to: { conversationId }, idempotencyKey: crypto.randomUUID(), author: SENDER,
    message: { type: 'template', name: 'order_update', language: 'de', parameters: ['Ana'] }, ...(unattended ? { unattended: true } : {}),
  });
  expect(await send(true)).toMatchObject({ ok: true });
  expect(await send(true)).toMatchObject({ ok: false, code: 'FREQUENCY_CAPPED' });
  expect(await send(false)).toMatchObject({ ok: true });
});
