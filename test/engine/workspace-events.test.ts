import { Writable } from 'node:stream';
import { createLogger } from '../../core/observability/logger';
import { Metrics } from '../../core/observability/metrics';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { audits, createWorkspace, deliver, fixture, type TestWorkspace } from './engine-harness';

describe('template, quality, error and unhandled webhooks', () => {
  let t: TestDatabase;
  let ws: TestWorkspace;
  const lines: unknown[] = [];
  const ctx = {
    logger: createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          const line: unknown = JSON.parse(chunk.toString());
          lines.push(line);
          done();
        },
      }),
    }),
    metrics: new Metrics(),
  };
  beforeAll(async () => {
    t = await createTestDatabase();
    ws = await createWorkspace(t.db);
  });
  afterAll(() => t.drop());

  it('template status updates are audited for the workspace', async () => {
    for (const name of ['template-status-update.json', 'template-status-update-rejected.json', 'template-status-update-paused.json']) {
      await deliver(t.db, ws.workspaceId, fixture(name), { ctx });
    }
    expect(await audits(t.db, ws.workspaceId)).toEqual([
      expect.objectContaining({ actor: 'whatsapp', action: 'template.approved', entity_type: 'template', entity_id: '800000000000001', data: expect.objectContaining({ message_template_name: 'order_update' }) }),
      expect.objectContaining({ action: 'template.rejected', entity_id: '800000000000002', data: expect.objectContaining({ reason: 'INVALID_FORMAT', rejection_info: expect.any(Object) }) }),
      expect.objectContaining({ action: 'template.paused', entity_id: '800000000000003', data: expect.objectContaining({ other_info: expect.objectContaining({ title: 'FIRST_PAUSE' }) }) }),
    ]);
  });

  it('a quality update is audited, and changes nothing else', async () => {
    const before = await t.db('whatsapp_number').where({ id: ws.numberId }).first();
    await deliver(t.db, ws.workspaceId, fixture('phone-number-quality-update.json'), { ctx });
    expect(await audits(t.db, ws.workspaceId, 'whatsapp_number.quality_throughput_upgrade')).toEqual([
      { actor: 'whatsapp', action: 'whatsapp_number.quality_throughput_upgrade', entity_type: 'whatsapp_number', entity_id: '15550002222',
        data: { wabaId: '100000000000001', time: 1750004200, display_phone_number: '15550002222', event: 'THROUGHPUT_UPGRADE', max_daily_conversations_per_business: 'TIER_UNLIMITED' } },
    ]);
    expect(await t.db('whatsapp_number').where({ id: ws.numberId }).first()).toEqual(before);
  });

  it('a system-level error is audited and logged as a warning', async () => {
    await deliver(t.db, ws.workspaceId, fixture('webhook-errors-130429.json'), { ctx });
    expect(await audits(t.db, ws.workspaceId, 'whatsapp_number.error')).toEqual([
      expect.objectContaining({ entity_id: '100000000000002', data: { wabaId: '100000000000001', errors: [expect.objectContaining({ code: 130429 })] } }),
    ]);
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ level: 40, msg: 'WhatsApp reported an error', phoneNumberId: '100000000000002' })]));
  });

  it('a field we do not handle is logged and marked processed', async () => {
    const envelope = { object: 'whatsapp_business_account' as const, entry: [{ id: '100000000000001', time: 1750004300, changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }] };
    const count = (await audits(t.db, ws.workspaceId)).length;
    await deliver(t.db, ws.workspaceId, envelope, { ctx });
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ level: 30, msg: 'webhook field not handled', field: 'account_update' })]));
    expect(await audits(t.db, ws.workspaceId)).toHaveLength(count);
  });
});
