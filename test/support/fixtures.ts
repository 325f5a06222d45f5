import fs from 'node:fs';
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(__dirname, '../../../shared/fixtures/whatsapp');
export const FIXTURE_PHONE_NUMBER_ID = '100000000000002';
export const FIXTURE_WABA_ID = '100000000000001';

export function fixtureText(name: string): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** Every fixture that is a webhook body Meta would POST (not requests, responses or notes). */
export function webhookFixtureNames(): string[] {
  return fs.readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.json'))
    .filter((f) => {
      const body = fixtureJson(f);
      return typeof body === 'object' && body !== null && 'object' in body && body.object === 'whatsapp_business_account';
    })
    .sort();
}
