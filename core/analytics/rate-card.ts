import type { Knex } from 'knex';
import { z } from 'zod';
import { writeAudit } from '../audit/write-audit';

/** The categories Meta prices by (whatsapp.md §3 `pricing.category`), as the rate card names them. */
export const PRICING_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
export type PricingCategory = (typeof PRICING_CATEGORIES)[number];

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const price = z.string().trim().regex(/^\d{1,8}(\.\d{1,6})?$/, { message: 'must be a price of 0 or more, such as 0.0125 (a dot for decimals, at most 6 of them)' });

/** A market: the recipient's country calling code (`44`, `+44`) or `default`, the price for every other market. */
const market = z.string().trim().toLowerCase().transform((m) => m.replace(/^\+/, ''))
  .pipe(z.union([z.literal('default'), z.string().regex(/^[1-9]\d{0,2}$/, { message: 'must be a country calling code (1 to 3 digits, such as 44) or "default"' })]));

export const rateCardInput = z.object({
  currency: z.string().trim().toUpperCase().refine((c) => CURRENCIES.has(c), { message: 'must be an ISO 4217 currency code, such as EUR or USD' }),
  rows: z.array(z.object({
    market,
    prices: z.partialRecord(z.enum(PRICING_CATEGORIES), price),
  }).refine((row) => Object.keys(row.prices).length > 0, { message: 'give at least one price, or clear the market to remove the row' })).max(300),
}).superRefine((card, ctx) => {
  const seen = new Set<string>();
  card.rows.forEach((row, i) => {
    if (seen.has(row.market)) ctx.addIssue({ code: 'custom', path: ['rows', i, 'market'], message: `market ${row.market} is listed twice` });
    seen.add(row.market);
  });
});
export type RateCardInput = z.infer<typeof rateCardInput>;

export interface RateCard {
  /** Null until an admin saves a rate card. */
  currency: string | null;
  updatedAt: Date | null;
  updatedBy: string | null;
  /** `default` first, then markets by calling code. */
  rows: Array<{ market: string; prices: Partial<Record<PricingCategory, string>> }>;
}

export async function readRateCard(db: Knex, workspaceId: string): Promise<RateCard> {
  const card: { currency: string; updated_at: Date; updated_by: string } | undefined = await db('rate_card').where({ workspace_id: workspaceId }).first('currency', 'updated_at', 'updated_by');
  const prices: Array<{ market: string; category: PricingCategory; price: string }> = await db('rate_card_price').where({ workspace_id: workspaceId })
    .orderByRaw(`market <> 'default', length(market), market`).select('market', 'category', db.raw('trim_scale(price)::text as price'));
  const rows = new Map<string, RateCard['rows'][number]>();
  for (const p of prices) {
    const row = rows.get(p.market) ?? { market: p.market, prices: {} };
    row.prices[p.category] = p.price;
    rows.set(p.market, row);
  }
  return { currency: card?.currency ?? null, updatedAt: card?.updated_at ?? null, updatedBy: card?.updated_by ?? null, rows: [...rows.values()] };
}

/** Replaces the workspace's rate card, audited with what it was and what it is now. */
export async function saveRateCard(db: Knex, workspaceId: string, actor: string, card: RateCardInput): Promise<void> {
  await db.transaction(async (trx) => {
    const before = await readRateCard(trx, workspaceId);
    await trx('rate_card').insert({ workspace_id: workspaceId, currency: card.currency, updated_by: actor, updated_at: trx.fn.now() })
      .onConflict('workspace_id').merge();
    await trx('rate_card_price').where({ workspace_id: workspaceId }).delete();
    const prices = card.rows.flatMap((row) => Object.entries(row.prices).map(([category, value]) => ({ workspace_id: workspaceId, market: row.market, category, price: value })));
    if (prices.length > 0) await trx('rate_card_price').insert(prices);
    await writeAudit(trx, {
      workspaceId, actor, action: 'rate_card.updated', entityType: 'rate_card', entityId: workspaceId,
      data: { before: { currency: before.currency, rows: before.rows }, after: { currency: card.currency, rows: card.rows } },
    });
  });
}
