import type { Knex } from 'knex';
import { consentKeywordsFrom, type ConsentKeywords } from './consent-keywords';

export type ReadReceiptPolicy = 'on_receipt' | 'on_assign' | 'never';

/** What the engine needs to know about the business number an event arrived on. */
export interface NumberSettings {
  id: string;
  workspaceId: string;
  phoneNumberId: string;
  readReceipts: ReadReceiptPolicy;
  quietPeriodMs: number;
  consentKeywords: ConsentKeywords;
}

interface NumberRow {
  id: string;
  workspace_id: string;
  phone_number_id: string;
  read_receipts: string;
  quiet_period_minutes: number;
  consent_keywords: unknown;
}

const MAX_AGE_MS = 30_000;
const cache = new Map<string, { settings: NumberSettings; loadedAt: number }>();

/**
 * The number's settings, read once per event. Numbers change rarely, so a per-process cache keyed
 * by phone_number_id saves a query per event; a settings change is seen within 30 s.
 */
export async function numberSettings(db: Knex, workspaceId: string, phoneNumberId: string): Promise<NumberSettings> {
  const hit = cache.get(phoneNumberId);
  if (hit && hit.settings.workspaceId === workspaceId && Date.now() - hit.loadedAt < MAX_AGE_MS) return hit.settings;
  const row: NumberRow | undefined = await db('whatsapp_number')
    .where({ workspace_id: workspaceId, phone_number_id: phoneNumberId })
    .first('id', 'workspace_id', 'phone_number_id', 'read_receipts', 'quiet_period_minutes', 'consent_keywords');
  if (!row) throw new Error(`WhatsApp number ${phoneNumberId} is not registered in workspace ${workspaceId}`);
  const settings: NumberSettings = {
    id: row.id,
    workspaceId: row.workspace_id,
    phoneNumberId: row.phone_number_id,
    readReceipts: row.read_receipts === 'on_receipt' || row.read_receipts === 'never' ? row.read_receipts : 'on_assign',
    quietPeriodMs: row.quiet_period_minutes * 60_000,
    consentKeywords: consentKeywordsFrom(row.consent_keywords),
  };
  cache.set(phoneNumberId, { settings, loadedAt: Date.now() });
  return settings;
}

/** For the admin API after it edits a number (and for tests): the next event reads it afresh. */
export function forgetNumberSettings(phoneNumberId?: string): void {
  if (phoneNumberId === undefined) cache.clear();
  else cache.delete(phoneNumberId);
}
