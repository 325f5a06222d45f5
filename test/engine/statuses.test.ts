import { applyPendingStatuses } from '../../core/engine/apply-status';
import type { WebhookEnvelope } from '../../core/whatsapp/webhook-payload';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import {
  at, conversationOf, createWorkspace, deliver, edit, fixture, insertOutbound, messageByWamid, type TestWorkspace,
} from './engine-harness';

type Delivery = 'sent' | 'delivered' | 'read' | 'failed';

const TIMES: Record<Delivery, number> = { sent: 1_750_003_000, delivered: 1_750_003_100, read: 1_750_003_200, failed: 1_750_003_300 };

/** The fixture webhook for one status, re-addressed to `wamid`. */
function statusWebhook(status: Delivery, wamid: string): WebhookEnvelope {
  const name = status === 'failed' ? 'status-failed-131047.json' : `status-${status}.json`;
  return edit(fixture(name), 'statuses', (s) => {
    s.id = wamid;
    s.timestamp = String(TIMES[status]);
  });
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('statuses: forward only, whatever order they arrive in', () => {
  let t: TestDatabase;
  let ws: TestWorkspace;
  let conversationId: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    ws = await createWorkspace(t.db);
    await deliver(t.db, ws.workspaceId, fixture('inbound-text.json'));
    conversationId = (await conversationOf(t.db, ws.workspaceId, 'wamid.FAKE_IN_TEXT_0001')).id;
  });
  afterAll(() => t.drop());

  const history = (wamid: string) => t.db('message_status').where({ workspace_id: ws.workspaceId, wamid }).orderBy('id').select('status', 'applied', 'occurred_at');
  const outbound = (wamid: string) => insertOutbound(t.db, ws.workspaceId, wamid, conversationId);
  const applyLater = (wamid: string) => t.db.transaction(async (trx) => {
    await insertOutbound(trx, ws.workspaceId, wamid, conversationId);
    return applyPendingStatuses(trx, ws.workspaceId, wamid);
  });

  it('the fixtures in order: sent, delivered, read, with history and pricing', async () => {
    await outbound('wamid.FAKE_OUTBOUND_0001');
    await deliver(t.db, ws.workspaceId, fixture('status-sent.json'));
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).toMatchObject({ status: 'sent', status_at: at(1750003000) });
    await deliver(t.db, ws.workspaceId, fixture('status-delivered.json'));
    await deliver(t.db, ws.workspaceId, fixture('status-read.json'));
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).toMatchObject({ status: 'read', status_at: at(1750003200), error_code: null });
    expect(await history('wamid.FAKE_OUTBOUND_0001')).toEqual([
      { status: 'sent', applied: true, occurred_at: at(1750003000) },
      { status: 'delivered', applied: true, occurred_at: at(1750003100) },
      { status: 'read', applied: true, occurred_at: at(1750003200) },
    ]);
    const sent = await t.db('message_status').where({ workspace_id: ws.workspaceId, wamid: 'wamid.FAKE_OUTBOUND_0001', status: 'sent' }).first();
    expect(sent).toMatchObject({ recipient_id: '15550001111', pricing: { pricing_model: 'PMP', type: 'free_customer_service', category: 'service' } });
  });

  it('a repeated status is a no-op and a late `delivered` does not move read back', async () => {
    await deliver(t.db, ws.workspaceId, fixture('status-delivered.json'), { redeliver: true });
    expect(await history('wamid.FAKE_OUTBOUND_0001')).toHaveLength(3);
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUTBOUND_0001')).toMatchObject({ status: 'read', status_at: at(1750003200) });
  });

  it('read before sent ends read', async () => {
    await outbound('wamid.READ_FIRST');
    await deliver(t.db, ws.workspaceId, statusWebhook('read', 'wamid.READ_FIRST'));
    await deliver(t.db, ws.workspaceId, statusWebhook('sent', 'wamid.READ_FIRST'));
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.READ_FIRST')).toMatchObject({ status: 'read', status_at: at(TIMES.read) });
    expect((await history('wamid.READ_FIRST')).map((h) => h.status)).toEqual(['read', 'sent']);
  });

  it('played (voice message) is past read; a late read does not undo it', async () => {
    await outbound('wamid.FAKE_OUT_VOICE_0001');
    await deliver(t.db, ws.workspaceId, statusWebhook('read', 'wamid.FAKE_OUT_VOICE_0001'));
    await deliver(t.db, ws.workspaceId, fixture('status-played.json'));
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUT_VOICE_0001')).toMatchObject({ status: 'played', status_at: at(1750003250) });
    const lateRead = edit(statusWebhook('read', 'wamid.FAKE_OUT_VOICE_0001'), 'statuses', (s) => {
      s.timestamp = '1750003260';
    });
    await deliver(t.db, ws.workspaceId, lateRead, { redeliver: true });
    expect((await messageByWamid(t.db, ws.workspaceId, 'wamid.FAKE_OUT_VOICE_0001')).status).toBe('played');
  });

  it.each([
    ['status-failed-131047.json', 'wamid.FAKE_OUTBOUND_0002', 131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.'],
    ['status-failed-131049.json', 'wamid.FAKE_OUT_TEMPLATE_0002', 131049, 'This message was not delivered to maintain healthy ecosystem engagement.', 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.'],
    ['status-failed-131026.json', 'wamid.FAKE_OUTBOUND_0003', 131026, 'Message undeliverable', 'Message Undeliverable.'],
  ])('failed (%s) carries the error a person can act on', async (name, wamid, code, title, details) => {
    await outbound(wamid);
    await deliver(t.db, ws.workspaceId, fixture(name));
    expect(await messageByWamid(t.db, ws.workspaceId, wamid)).toMatchObject({ status: 'failed', error_code: code, error_title: title, error_details: details });
  });

  it('a failed status without a title falls back to the error message', async () => {
    await outbound('wamid.NO_TITLE');
    const noTitle = edit(statusWebhook('failed', 'wamid.NO_TITLE'), 'statuses', (s) => {
      s.errors = [{ code: 131047, message: 'Re-engagement message', error_data: { details: 'outside the window' } }];
    });
    await deliver(t.db, ws.workspaceId, noTitle);
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.NO_TITLE')).toMatchObject({ status: 'failed', error_code: 131047, error_title: 'Re-engagement message', error_details: 'outside the window' });
  });

  it('statuses it does not know (deleted, warning) are history only', async () => {
    await outbound('wamid.ODD_STATUS');
    await deliver(t.db, ws.workspaceId, statusWebhook('delivered', 'wamid.ODD_STATUS'));
    for (const odd of ['deleted', 'warning']) {
      await deliver(t.db, ws.workspaceId, edit(statusWebhook('read', 'wamid.ODD_STATUS'), 'statuses', (s) => {
        s.status = odd;
      }));
    }
    expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.ODD_STATUS')).toMatchObject({ status: 'delivered' });
    expect(await history('wamid.ODD_STATUS')).toEqual([
      expect.objectContaining({ status: 'delivered', applied: true }),
      expect.objectContaining({ status: 'deleted', applied: true }),
      expect.objectContaining({ status: 'warning', applied: true }),
    ]);
  });

  describe('a status for a message not stored yet is kept and applied when it appears', () => {
    it('kept with applied=false, then applied by applyPendingStatuses', async () => {
      await deliver(t.db, ws.workspaceId, statusWebhook('delivered', 'wamid.LATE_SEND'));
      await deliver(t.db, ws.workspaceId, statusWebhook('sent', 'wamid.LATE_SEND'));
      expect((await history('wamid.LATE_SEND')).map((h) => h.applied)).toEqual([false, false]);
      expect(await applyLater('wamid.LATE_SEND')).toBe(2);
      expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.LATE_SEND')).toMatchObject({ status: 'delivered', status_at: at(TIMES.delivered) });
      expect((await history('wamid.LATE_SEND')).map((h) => h.applied)).toEqual([true, true]);
      await deliver(t.db, ws.workspaceId, statusWebhook('read', 'wamid.LATE_SEND'));
      expect((await messageByWamid(t.db, ws.workspaceId, 'wamid.LATE_SEND')).status).toBe('read');
    });

    it('a status racing the send transaction is not left pending', async () => {
      const send = await t.db.transaction();
      await insertOutbound(send, ws.workspaceId, 'wamid.RACE', conversationId);
      await applyPendingStatuses(send, ws.workspaceId, 'wamid.RACE'); // holds the wamid's lock until commit
      const status = deliver(t.db, ws.workspaceId, statusWebhook('sent', 'wamid.RACE'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await send.commit();
      await status;
      expect(await messageByWamid(t.db, ws.workspaceId, 'wamid.RACE')).toMatchObject({ status: 'sent' });
      expect(await history('wamid.RACE')).toEqual([expect.objectContaining({ status: 'sent', applied: true })]);
    });
  });

  describe('the final state is the same in every order', () => {
    const all: Delivery[] = ['sent', 'delivered', 'read', 'failed'];
    // For each order, the message is stored before the first status, halfway, or after the last.
    const cases = permutations(all).flatMap((order) => [0, 2, 4].map((storedAfter) => ({ order, storedAfter })));

    it.each(cases)('$order, message stored after $storedAfter', async ({ order, storedAfter }) => {
      const wamid = `wamid.PERM_${order.join('_')}_${storedAfter}`;
      for (const [i, status] of order.entries()) {
        if (i === storedAfter) await applyLater(wamid);
        await deliver(t.db, ws.workspaceId, statusWebhook(status, wamid));
      }
      if (storedAfter === order.length) await applyLater(wamid);
      expect(await messageByWamid(t.db, ws.workspaceId, wamid)).toMatchObject({
        status: 'failed', status_at: at(TIMES.failed), error_code: 131047, error_title: 'Re-engagement message',
      });
      expect((await history(wamid)).every((h) => h.applied)).toBe(true);
    });

    it.each(permutations<Delivery>(['sent', 'delivered', 'read']))('without a failure: %s, %s, %s ends read', async (...order) => {
      const wamid = `wamid.PERM_OK_${order.join('_')}`;
      await outbound(wamid);
      for (const status of order) await deliver(t.db, ws.workspaceId, statusWebhook(status, wamid));
      expect(await messageByWamid(t.db, ws.workspaceId, wamid)).toMatchObject({ status: 'read', status_at: at(TIMES.read), error_code: null });
    });
  });
  describe('two copies of one status with different timestamps: the earliest is kept, with its details', () => {
    const EARLY = 1_750_004_000;
    const LATE = 1_750_004_500;
    const copy = (status: Delivery, wamid: string, timestamp: number, change: (s: Record<string, unknown>) => void = () => undefined) =>
      edit(statusWebhook(status, wamid), 'statuses', (s) => {
        s.timestamp = String(timestamp);
        change(s);
      });
    const row = (wamid: string, status: string) => t.db('message_status').where({ workspace_id: ws.workspaceId, wamid, status }).select('occurred_at', 'errors', 'pricing', 'applied');
    const withPricing = (s: Record<string, unknown>) => {
      s.pricing = { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' };
    };
    const otherError = (s: Record<string, unknown>) => {
      s.errors = [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'Message Undeliverable.' } }];
    };
    // Each order of the two copies, with the message stored first, between them, or last.
    const cases = [['earliest first', [EARLY, LATE]], ['latest first', [LATE, EARLY]]] as const;
    const placements = cases.flatMap(([name, times]) => [0, 1, 2].map((storedAfter) => ({ name, times, storedAfter })));

    it.each(placements)('read, $name, message stored after $storedAfter', async ({ name, times, storedAfter }) => {
      const wamid = `wamid.TWO_READS_${name.replace(' ', '_')}_${storedAfter}`;
      for (const [i, time] of times.entries()) {
        if (i === storedAfter) await applyLater(wamid);
        await deliver(t.db, ws.workspaceId, copy('read', wamid, time, time === LATE ? withPricing : undefined));
      }
      if (storedAfter === times.length) await applyLater(wamid);
      expect(await row(wamid, 'read')).toEqual([{ occurred_at: at(EARLY), errors: null, pricing: null, applied: true }]);
      expect(await messageByWamid(t.db, ws.workspaceId, wamid)).toMatchObject({ status: 'read', status_at: at(EARLY) });
    });

    it.each(placements)('failed, $name, message stored after $storedAfter: the earliest error', async ({ name, times, storedAfter }) => {
      const wamid = `wamid.TWO_FAILS_${name.replace(' ', '_')}_${storedAfter}`;
      for (const [i, time] of times.entries()) {
        if (i === storedAfter) await applyLater(wamid);
        await deliver(t.db, ws.workspaceId, copy('failed', wamid, time, time === LATE ? otherError : undefined));
      }
      if (storedAfter === times.length) await applyLater(wamid);
      expect(await row(wamid, 'failed')).toEqual([expect.objectContaining({ occurred_at: at(EARLY), errors: [expect.objectContaining({ code: 131047 })] })]);
      expect(await messageByWamid(t.db, ws.workspaceId, wamid)).toMatchObject({ status: 'failed', status_at: at(EARLY), error_code: 131047, error_title: 'Re-engagement message' });
    });

    it('an earlier copy of a status the message has moved past changes only the history', async () => {
      const wamid = 'wamid.EARLY_COPY_PAST';
      await outbound(wamid);
      await deliver(t.db, ws.workspaceId, copy('delivered', wamid, LATE));
      await deliver(t.db, ws.workspaceId, copy('read', wamid, LATE + 10));
      await deliver(t.db, ws.workspaceId, copy('delivered', wamid, EARLY));
      expect(await row(wamid, 'delivered')).toEqual([expect.objectContaining({ occurred_at: at(EARLY) })]);
      expect(await messageByWamid(t.db, ws.workspaceId, wamid)).toMatchObject({ status: 'read', status_at: at(LATE + 10) });
    });

    it('the same copy twice (same timestamp) is one row and changes nothing', async () => {
      const wamid = 'wamid.SAME_COPY';
      await outbound(wamid);
      await deliver(t.db, ws.workspaceId, copy('read', wamid, EARLY, withPricing));
      await deliver(t.db, ws.workspaceId, copy('read', wamid, EARLY), { redeliver: true });
      expect(await row(wamid, 'read')).toEqual([expect.objectContaining({ occurred_at: at(EARLY), pricing: expect.objectContaining({ pricing_model: 'PMP' }) })]);
    });
  });
});
