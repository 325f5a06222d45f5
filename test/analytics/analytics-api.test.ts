import { ADMIN_AUTH } from '../admin/admin-helpers';
import { startTestRuntime, type TestRuntime } from '../support/test-runtime';
import { SEEDED_RANGE, seedAnalytics, type SeededWorkspace } from './analytics-seed';

/** `GET /api/v1/analytics/report`: the page's figures for the admin token's workspace, documented in the OpenAPI. */
let runtime: TestRuntime;
let seeded: SeededWorkspace;
beforeAll(async () => {
  runtime = await startTestRuntime({ worker: false });
  seeded = await seedAnalytics(runtime.db, runtime.workspace.id);
});
afterAll(async () => runtime?.close());

const report = (query: string) => runtime.http().get(`/api/v1/analytics/report?${query}`).set('authorization', ADMIN_AUTH);

test('answers the seeded week', async () => {
  const res = await report(`from=${SEEDED_RANGE.from}&to=${SEEDED_RANGE.to}&team=`);
  expect(res.status).toBe(200);
  expect(res.body.filter).toEqual({ from: '2026-11-10T00:00:00.000Z', to: '2026-11-17T00:00:00.000Z' });
  expect(res.body.delivery).toEqual({ sent: 9, delivered: 6, read: 3, failed: 2, deliveryRate: 0.6667, readRate: 0.5 });
  expect(res.body.firstResponse[0]).toEqual({ by: 'all', key: null, conversations: 4, measured: 3, medianSeconds: 600, p90Seconds: 1560 });
  expect(res.body.cost.total).toMatchObject({ messages: 7, billable: 3, unpriced: 3 });
  const n1 = await report(`from=${SEEDED_RANGE.from}&to=${SEEDED_RANGE.to}&number=${seeded.n1}`);
  expect(n1.body.cost.total).toMatchObject({ messages: 4, billable: 0 });
});

test('refuses bad ranges, a number of another workspace, and callers without the token', async () => {
  expect((await report('from=2026-11-10&to=2026-11-09')).body.error).toEqual({ code: 'INVALID_REQUEST', message: 'from: must be on or before the "to" day' });
  expect((await report('from=10/11/2026')).status).toBe(400);
  const foreign = await report(`number=${seeded.otherNumber}`);
  expect(foreign.status).toBe(404);
  expect(foreign.body.error.code).toBe('NUMBER_NOT_FOUND');
  expect((await runtime.http().get('/api/v1/analytics/report')).status).toBe(401);
});

test('is documented with its query parameters', async () => {
  const doc = await runtime.http().get('/api/v1/openapi.json').set('authorization', ADMIN_AUTH);
  const operation = doc.body.paths['/analytics/report']?.get;
  expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(['from', 'to', 'number', 'team']);
  expect(Object.keys(operation.responses)).toEqual(['200', '400', '401', '404']);
});
