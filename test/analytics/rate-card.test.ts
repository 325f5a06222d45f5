import { rateCardInput, readRateCard, saveRateCard } from '../../core/analytics/rate-card';
import { createTestDatabase, type TestDatabase } from '../support/test-db';

/** The rate card (migration 018): validated, replaced as a whole, audited with before and after. */
let database: TestDatabase;
let workspaceId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const [row] = (await database.db('workspace').insert({ name: 'Acme', slug: 'acme-rates' }).returning('id')) as Array<{ id: string }>;
  workspaceId = row!.id;
});
afterAll(() => database.drop());

const problems = (input: unknown) => {
  const result = rateCardInput.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('accepts calling codes with or without +, "default" in any case, and decimal prices; trims and upper-cases', () => {
  expect(rateCardInput.parse({ currency: ' eur ', rows: [{ market: 'Default', prices: { marketing: '0.05' } }, { market: '+44', prices: { utility: ' 0.022 ', service: '0' } }] })).toEqual({
    currency: 'EUR', rows: [{ market: 'default', prices: { marketing: '0.05' } }, { market: '44', prices: { utility: '0.022', service: '0' } }],
  });
});

test('refuses negative or malformed prices, unknown currencies and categories, bad or repeated markets, empty rows', () => {
  expect(problems({ currency: 'EUX', rows: [] })).toEqual(['currency: must be an ISO 4217 currency code, such as EUR or USD']);
  expect(problems({ currency: 'USD', rows: [{ market: '44', prices: { marketing: '-0.01' } }] })).toEqual([expect.stringMatching(/^rows\.0\.prices\.marketing: must be a price of 0 or more/)]);
  expect(problems({ currency: 'USD', rows: [{ market: '44', prices: { marketing: '1,5' } }] })).toHaveLength(1);
  expect(problems({ currency: 'USD', rows: [{ market: '44', prices: { marketing: '1e3' } }] })).toHaveLength(1);
  expect(problems({ currency: 'USD', rows: [{ market: '44', prices: { promotional: '1' } }] })).not.toEqual([]);
  expect(problems({ currency: 'USD', rows: [{ market: 'UK', prices: { marketing: '1' } }] })).toEqual([expect.stringMatching(/^rows\.0\.market: must be a country calling code/)]);
  expect(problems({ currency: 'USD', rows: [{ market: '0044', prices: { marketing: '1' } }] })).toHaveLength(1);
  expect(problems({ currency: 'USD', rows: [{ market: '44', prices: {} }] })).toEqual(['rows.0: give at least one price, or clear the market to remove the row']);
  expect(problems({ currency: 'USD', rows: [{ market: '44', prices: { marketing: '1' } }, { market: '+44', prices: { utility: '1' } }] })).toEqual(['rows.1.market: market 44 is listed twice']);
});

test('saves the whole card, reads it back default first, and audits each change with what it replaced', async () => {
  expect(await readRateCard(database.db, workspaceId)).toEqual({ currency: null, updatedAt: null, updatedBy: null, rows: [] });
  await saveRateCard(database.db, workspaceId, 'admin-token', rateCardInput.parse({ currency: 'EUR', rows: [
    { market: '91', prices: { marketing: '0.0107' } }, { market: 'default', prices: { marketing: '0.050', service: '0' } },
  ] }));
  const first = await readRateCard(database.db, workspaceId);
  expect(first).toMatchObject({ currency: 'EUR', updatedBy: 'admin-token', rows: [{ market: 'default', prices: { marketing: '0.05', service: '0' } }, { market: '91', prices: { marketing: '0.0107' } }] });
  await saveRateCard(database.db, workspaceId, 'zendesk:7', rateCardInput.parse({ currency: 'USD', rows: [{ market: '1', prices: { utility: '0.004' } }] }));
  expect((await readRateCard(database.db, workspaceId)).rows).toEqual([{ market: '1', prices: { utility: '0.004' } }]);
  const audit: Array<{ actor: string; entity_id: string; data: { before: { currency: string | null }; after: { currency: string } } }> = await database.db('audit_log')
    .where({ workspace_id: workspaceId, action: 'rate_card.updated' }).orderBy('id');
  expect(audit.map((a) => [a.actor, a.entity_id, a.data.before.currency, a.data.after.currency])).toEqual([['admin-token', workspaceId, null, 'EUR'], ['zendesk:7', workspaceId, 'EUR', 'USD']]);
});

test('the database refuses what the form would: negative prices and unknown markets', async () => {
  await expect(database.db('rate_card_price').insert({ workspace_id: workspaceId, market: '44', category: 'marketing', price: -1 })).rejects.toThrow(/rate_card_price_non_negative/);
  await expect(database.db('rate_card_price').insert({ workspace_id: workspaceId, market: 'UK', category: 'marketing', price: 1 })).rejects.toThrow(/rate_card_price_market/);
});
