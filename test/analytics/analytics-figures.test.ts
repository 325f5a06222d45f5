import { analyticsQuery, type AnalyticsFilter } from '../../core/analytics/analytics-filter';
import { analyticsReport } from '../../core/analytics/analytics-report';
import { faqDeflections, slaBreaches } from '../../core/analytics/automation-figures';
import { messageCost } from '../../core/analytics/message-cost';
import { deliveryFigures, failuresByCode, messagesPerDay, volumeByHour } from '../../core/analytics/message-figures';
import { rateCardInput, saveRateCard } from '../../core/analytics/rate-card';
import { firstResponseTimes, resolutionTimes } from '../../core/analytics/response-times';
import { createTestDatabase, type TestDatabase } from '../support/test-db';
import { SEEDED_FILTER, SEEDED_RATE_CARD, seedAnalytics, type SeededWorkspace } from './analytics-seed';

/** Every figure of the seeded week (test/analytics/analytics-seed.ts), worked out by hand from the seed's comments. */
let database: TestDatabase;
let seeded: SeededWorkspace;
beforeAll(async () => {
  database = await createTestDatabase();
  seeded = await seedAnalytics(database.db);
});
afterAll(() => database.drop());

const week: AnalyticsFilter = SEEDED_FILTER;
const ws = () => seeded.workspaceId;

test('messages per day: every UTC day of the range, the last second of a day on that day, the range end excluded', async () => {
  expect(await messagesPerDay(database.db, ws(), week)).toEqual([
    // 09:00 and 09:01 in; the routing menu, the Zendesk reply and conv5's reply out (the refused send never left).
    { day: '2026-11-10', inbound: 2, outbound: 3 },
    { day: '2026-11-11', inbound: 1, outbound: 0 },
    // HubSpot's reply and failed send, the FAQ answer, the Salesforce reply, the template.
    { day: '2026-11-12', inbound: 1, outbound: 5 },
    { day: '2026-11-13', inbound: 0, outbound: 0 },
    { day: '2026-11-14', inbound: 0, outbound: 0 },
    { day: '2026-11-15', inbound: 0, outbound: 0 },
    { day: '2026-11-16', inbound: 1, outbound: 1 },
  ]);
});

test('volume by hour of day (UTC)', async () => {
  const hours = await volumeByHour(database.db, ws(), week);
  expect(hours).toHaveLength(24);
  expect(hours.filter((h) => h.inbound + h.outbound > 0)).toEqual([
    { hour: 0, inbound: 0, outbound: 3 },
    { hour: 9, inbound: 2, outbound: 2 },
    { hour: 14, inbound: 1, outbound: 2 },
    { hour: 15, inbound: 0, outbound: 1 },
    { hour: 23, inbound: 2, outbound: 1 },
  ]);
});

test('delivery and read rates over the messages WhatsApp accepted', async () => {
  // 9 sent; 3 read + 3 delivered = 6 delivered; 2 failed after sending.
  expect(await deliveryFigures(database.db, ws(), week)).toEqual({ sent: 9, delivered: 6, read: 3, failed: 2, deliveryRate: 0.6667, readRate: 0.5 });
});

test('failures by error code, with titles, refused sends included', async () => {
  expect(await failuresByCode(database.db, ws(), week)).toEqual([
    { code: 131047, title: 'Re-engagement message', count: 2 },
    { code: 131009, title: 'Parameter value is not valid', count: 1 },
  ]);
});

test('first-response time: median and p90 overall, by team and by platform; automations and workflows are no answer', async () => {
  // Answered after 120 s (Zendesk, billing), 600 s (HubSpot, support), 1800 s (Salesforce, billing); conv4 unanswered.
  // p90 of [120, 600, 1800] = 600 + 0.8 × 1200 = 1560; billing p90 of [120, 1800] = 120 + 0.9 × 1680 = 1632.
  expect(await firstResponseTimes(database.db, ws(), week)).toEqual([
    { by: 'all', key: null, conversations: 4, measured: 3, medianSeconds: 600, p90Seconds: 1560 },
    { by: 'platform', key: 'hubspot', conversations: 1, measured: 1, medianSeconds: 600, p90Seconds: 600 },
    { by: 'platform', key: 'salesforce', conversations: 1, measured: 1, medianSeconds: 1800, p90Seconds: 1800 },
    { by: 'platform', key: 'zendesk', conversations: 1, measured: 1, medianSeconds: 120, p90Seconds: 120 },
    { by: 'platform', key: null, conversations: 1, measured: 0, medianSeconds: null, p90Seconds: null },
    { by: 'team', key: 'billing', conversations: 2, measured: 2, medianSeconds: 960, p90Seconds: 1632 },
    { by: 'team', key: 'support', conversations: 1, measured: 1, medianSeconds: 600, p90Seconds: 600 },
    { by: 'team', key: null, conversations: 1, measured: 0, medianSeconds: null, p90Seconds: null },
  ]);
});

test('resolution time of the conversations closed in the range, asked before it included', async () => {
  // 3600 s (conv1), 86401 s (conv2), 3601 s (conv5, asked a second before the range).
  // p90 of [3600, 3601, 86401] = 3601 + 0.8 × 82800 = 69841; support p90 of [3601, 86401] = 3601 + 0.9 × 82800 = 78121.
  expect(await resolutionTimes(database.db, ws(), week)).toEqual([
    { by: 'all', key: null, conversations: 3, measured: 3, medianSeconds: 3601, p90Seconds: 69841 },
    { by: 'platform', key: 'hubspot', conversations: 1, measured: 1, medianSeconds: 86401, p90Seconds: 86401 },
    { by: 'platform', key: 'zendesk', conversations: 2, measured: 2, medianSeconds: 3600.5, p90Seconds: 3600.9 },
    { by: 'team', key: 'billing', conversations: 1, measured: 1, medianSeconds: 3600, p90Seconds: 3600 },
    { by: 'team', key: 'support', conversations: 2, measured: 2, medianSeconds: 45001, p90Seconds: 78121 },
  ]);
});

test('SLA breaches in the range by team, the one at the range end excluded', async () => {
  expect(await slaBreaches(database.db, ws(), week)).toEqual({ total: 2, byTeam: [{ team: 'billing', breaches: 1 }, { team: null, breaches: 1 }] });
});

test('FAQ deflections: an escalation belongs to the answer before it', async () => {
  expect(await faqDeflections(database.db, ws(), week)).toEqual({ answers: 3, escalated: 1, deflected: 2, rate: 0.6667 });
});

test('cost without a rate card: each priced message once, billable ones unpriced', async () => {
  const cost = await messageCost(database.db, ws(), week);
  expect(cost.total).toEqual({ key: null, label: null, messages: 7, billable: 3, unpriced: 3, cost: '0' });
  expect(cost.byCategory.map((g) => [g.key, g.messages, g.billable])).toEqual(expect.arrayContaining([['marketing', 1, 1], ['utility', 1, 1], ['authentication', 1, 1], ['service', 4, 0]]));
});

describe('with the rate card', () => {
  beforeAll(async () => {
    await saveRateCard(database.db, ws(), 'test', rateCardInput.parse(SEEDED_RATE_CARD));
  });

  test('cost by category, number and team: the longest calling code wins, else the default row', async () => {
    // marketing to India 0.0107 (market 91), utility to the UK 0.022 (market 44), authentication to the US 0.03 (default).
    const cost = await messageCost(database.db, ws(), week);
    expect(cost.total).toEqual({ key: null, label: null, messages: 7, billable: 3, unpriced: 0, cost: '0.0627' });
    expect(cost.byCategory).toEqual([
      { key: 'authentication', label: null, messages: 1, billable: 1, unpriced: 0, cost: '0.03' },
      { key: 'utility', label: null, messages: 1, billable: 1, unpriced: 0, cost: '0.022' },
      { key: 'marketing', label: null, messages: 1, billable: 1, unpriced: 0, cost: '0.0107' },
      { key: 'service', label: null, messages: 4, billable: 0, unpriced: 0, cost: '0' },
    ]);
    expect(cost.byNumber).toEqual([
      { key: seeded.n2, label: '+1 555 000 2000', messages: 2, billable: 2, unpriced: 0, cost: '0.0327' },
      { key: null, label: null, messages: 1, billable: 1, unpriced: 0, cost: '0.03' },
      { key: seeded.n1, label: '+1 555 000 1000', messages: 4, billable: 0, unpriced: 0, cost: '0' },
    ]);
    expect(cost.byTeam).toEqual([
      { key: null, label: null, messages: 2, billable: 2, unpriced: 0, cost: '0.052' },
      { key: 'billing', label: null, messages: 3, billable: 1, unpriced: 0, cost: '0.0107' },
      { key: 'support', label: null, messages: 2, billable: 0, unpriced: 0, cost: '0' },
    ]);
  });

  test('the number and team filters narrow every figure; an unknown message has no number', async () => {
    const n2 = await analyticsReport(database.db, ws(), { ...week, numberId: seeded.n2 });
    expect(n2.daily.reduce((sum, d) => [sum[0]! + d.inbound, sum[1]! + d.outbound], [0, 0])).toEqual([2, 4]);
    expect(n2.cost.total).toMatchObject({ messages: 2, billable: 2, cost: '0.0327' });
    expect(n2.sla.total).toBe(2);
    // The CSAT answers are conv7's, on the first number and routed to no team.
    expect(n2.csat.responses).toBe(0);
    expect((await analyticsReport(database.db, ws(), { ...week, numberId: seeded.n1 })).csat).toMatchObject({ responses: 2, average: 4.5 });
    const billing = await analyticsReport(database.db, ws(), { ...week, team: 'billing' });
    expect(billing.daily.reduce((sum, d) => [sum[0]! + d.inbound, sum[1]! + d.outbound], [0, 0])).toEqual([3, 5]);
    expect(billing.firstResponse[0]).toMatchObject({ by: 'all', conversations: 2, medianSeconds: 960 });
    expect(billing.faq).toEqual({ answers: 3, escalated: 1, deflected: 2, rate: 0.6667 });
    expect(billing.cost.total).toMatchObject({ messages: 3, billable: 1, cost: '0.0107' });
    expect(billing.csat.responses).toBe(0);
  });
});

test('another workspace sees only its own traffic', async () => {
  const other = await analyticsReport(database.db, seeded.otherWorkspaceId, week);
  expect(other.daily.reduce((sum, d) => sum + d.inbound + d.outbound, 0)).toBe(2);
  expect(other.failures).toEqual([{ code: 131047, title: 'Re-engagement message', count: 1 }]);
  expect(other.cost.total).toMatchObject({ messages: 1, billable: 1, cost: '9' });
  expect(other.csat.responses).toBe(0);
  // Filtering this workspace by the other's number finds nothing.
  expect((await analyticsReport(database.db, ws(), { ...week, numberId: seeded.otherNumber })).cost.total.messages).toBe(0);
});

test('the filter reads UTC days with the "to" day included, and refuses ranges backwards or over a year', () => {
  expect(analyticsQuery.parse({ from: '2026-11-10', to: '2026-11-16' })).toMatchObject({ from: SEEDED_FILTER.from, to: SEEDED_FILTER.to });
  const byDefault = analyticsQuery.parse({});
  expect(byDefault.to.getTime() - byDefault.from.getTime()).toBe(7 * 24 * 3600_000);
  expect(analyticsQuery.safeParse({ from: '2026-11-17', to: '2026-11-16' }).success).toBe(false);
  expect(analyticsQuery.safeParse({ from: '2024-01-01', to: '2026-11-16' }).success).toBe(false);
  expect(analyticsQuery.safeParse({ from: '2026-11-31' }).success).toBe(false);
});
