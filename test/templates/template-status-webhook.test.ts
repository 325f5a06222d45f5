import { syncTemplates } from '../../core/templates/sync-templates';
import { waitForInboxDrained } from '../admin/admin-helpers';
import { startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { fixtureJson, fixtureText } from '../support/fixtures';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';
import { connectFixtureNumber, resetTemplates, storedTemplates, syncDeps, WABA } from './template-helpers';

/** Fixture times are 1750004000 (2025-06-15); a sync "before" them lets the fixtures be the newer news. */
const BEFORE_FIXTURES = new Date(1_749_990_000 * 1000);
const at = (unixSeconds: number) => new Date(unixSeconds * 1000);

/** A template status webhook built from a fixture, with the change's value and the entry time replaced. */
function statusWebhook(fixture: string, time: number, value: Record<string, unknown> = {}): string {
  const body = fixtureJson(fixture) as { entry: { time: number; changes: { value: Record<string, unknown> }[] }[] };
  for (const entry of body.entry) {
    entry.time = time;
    for (const change of entry.changes) Object.assign(change.value, value);
  }
  return JSON.stringify(body);
}

describe('message_template_status_update webhooks keep template status current', () => {
  let fake: MetaFake;
  let rt: TestRuntime;

  beforeAll(async () => {
    fake = await startMetaFake();
    rt = await startTestRuntime({ config: { whatsappApiBase: fake.baseUrl }, worker: { pollIntervalMs: 50 } });
    await connectFixtureNumber(rt);
  });
  afterAll(async () => {
    await rt?.close();
    await fake?.stop();
  });
  beforeEach(async () => {
    await resetTemplates(rt, fake);
    await rt.db('audit_log').where({ workspace_id: rt.workspace.id, entity_type: 'template' }).delete();
    fake.state.templates.addFixtureTemplates();
    expect(await syncTemplates(syncDeps(rt, fake, BEFORE_FIXTURES), rt.workspace.id, WABA)).toMatchObject({ ok: true });
  });

  const post = async (body: string) => {
    const res = await rt.postWebhook(body);
    expect(res.status).toBe(200);
    await waitForInboxDrained(rt.db);
  };
  const template = async (name: string) => (await storedTemplates(rt)).find((t) => t.name === name);
  const audits = (entityId: string) => rt.db('audit_log').where({ workspace_id: rt.workspace.id, entity_type: 'template', entity_id: entityId }).orderBy('id').select('action', 'data');

  it('PAUSED (fixture, through HTTP): status, the pause reason and the entry time are stored, and audited', async () => {
    await post(fixtureText('template-status-update-paused.json'));
    expect(await template('weekly_deals')).toMatchObject({
      status: 'PAUSED',
      status_reason: 'FIRST_PAUSE: Fake description: template paused due to low quality.',
      status_changed_at: at(1750004000),
    });
    expect(await audits('800000000000003')).toEqual([{ action: 'template.paused', data: expect.objectContaining({ outcome: 'applied', other_info: expect.objectContaining({ title: 'FIRST_PAUSE' }) }) }]);
  });

  it('REJECTED keeps the reason, the explanation and the recommendation; APPROVED clears the reason', async () => {
    await post(fixtureText('template-status-update-rejected.json'));
    expect(await template('summer_promo')).toMatchObject({
      status: 'REJECTED',
      status_reason: 'INVALID_FORMAT — Fake rejection explanation: variable placement is not allowed here. Recommendation: Fake recommendation: move the variable away from the start of the body.',
    });
    await post(statusWebhook('template-status-update.json', 1750004100, { message_template_id: 800000000000002, message_template_name: 'summer_promo', message_template_category: 'MARKETING' }));
    expect(await template('summer_promo')).toMatchObject({ status: 'APPROVED', status_reason: null, status_changed_at: at(1750004100) });
  });

  it('an older update arriving after a newer one is ignored (and audited as stale)', async () => {
    await post(statusWebhook('template-status-update-paused.json', 1750005000, { event: 'REINSTATED', other_info: { title: 'UNPAUSE', description: 'Quality improved.' } }));
    expect(await template('weekly_deals')).toMatchObject({ status: 'APPROVED', status_reason: 'UNPAUSE: Quality improved.', status_changed_at: at(1750005000) });

    // Older than the reinstatement; a time of its own, as a redelivery of the same update would be deduplicated before the engine.
    await post(statusWebhook('template-status-update-paused.json', 1750004500));
    expect(await template('weekly_deals')).toMatchObject({ status: 'APPROVED', status_changed_at: at(1750005000) });
    expect((await audits('800000000000003')).map((a) => [a.action, a.data.outcome])).toEqual([['template.reinstated', 'applied'], ['template.paused', 'stale']]);
  });

  it('DISABLED, and an update found by name and language when it has no template id', async () => {
    await post(statusWebhook('template-status-update-paused.json', 1750006000, {
      event: 'DISABLED', message_template_id: undefined, other_info: { title: 'DISABLED', description: 'Third pause.' }, disable_info: { disable_date: 'June 15, 2025' },
    }));
    expect(await template('weekly_deals')).toMatchObject({ status: 'DISABLED', status_reason: 'DISABLED: Third pause. — disabled on June 15, 2025' });
  });

  it('FLAGGED changes no status but says so in the reason', async () => {
    await post(statusWebhook('template-status-update.json', 1750006000, { event: 'FLAGGED', reason: null, other_info: { title: 'FLAGGED', description: 'Quality is dropping.' } }));
    expect(await template('order_update')).toMatchObject({ status: 'APPROVED', status_reason: 'FLAGGED — FLAGGED: Quality is dropping.' });
  });

  it('an update for a template not synced yet creates nothing, is audited, and the next sync brings the template', async () => {
    await post(statusWebhook('template-status-update.json', 1750006000, { message_template_id: 800000000000999, message_template_name: 'brand_new', message_template_language: 'de' }));
    expect((await storedTemplates(rt)).map((t) => t.name)).toEqual(['order_update', 'summer_promo', 'weekly_deals']);
    expect(await audits('800000000000999')).toEqual([{ action: 'template.approved', data: expect.objectContaining({ outcome: 'unknown_template', message_template_name: 'brand_new' }) }]);

    fake.state.templates.add({ id: '800000000000999', name: 'brand_new', language: 'de' });
    await syncTemplates(syncDeps(rt, fake), rt.workspace.id, WABA);
    expect(await template('brand_new')).toMatchObject({ status: 'APPROVED', meta_template_id: '800000000000999' });
  });

  it('a sync is news as of when it ran: a webhook from before it (redelivered late) does not undo it', async () => {
    fake.state.templates.setStatus('800000000000003', 'APPROVED');
    const result = await syncTemplates(syncDeps(rt, fake), rt.workspace.id, WABA);
    expect(result).toMatchObject({ ok: true, counts: { updated: 1 } });
    await post(statusWebhook('template-status-update-paused.json', 1750004700));
    expect(await template('weekly_deals')).toMatchObject({ status: 'APPROVED' });
    expect((await audits('800000000000003')).map((a) => a.data.outcome)).toEqual(['stale']);
  });
});
