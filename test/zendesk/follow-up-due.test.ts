import { ticketChangeOf } from '../../connectors/zendesk/ticket-changes';
import type { SyncEvent } from '../../core/connectors/contract';

/** Zendesk has no owner to give a follow-up task to: the event is skipped, with the reason on its outbox row. */
test('a trigger\'s follow-up due is skipped on Zendesk with the reason', () => {
  const event: SyncEvent = {
    outboxId: 1, eventId: 'e1', externalId: 'x1', type: 'conversation.follow_up_due', conversationId: 'c1', phoneNumberId: '100000000000002', messageId: null,
    origin: { installationId: null, own: false }, occurredAt: new Date(), links: { conversation: {}, message: {} },
    data: { trigger: 'order-shipped', template: 'shipping_update', sentAt: '2026-11-20T10:00:00.000Z' },
  };
  expect(ticketChangeOf(event)).toEqual({ kind: 'skip', reason: expect.stringContaining('task for a CRM owner') });
});
