import type { Db } from '../../core/db/connect';
import { FIXTURE_PHONE_NUMBER_ID, FIXTURE_WABA_ID } from './fixtures';

/** The fixtures' business number, registered in a workspace (token sealing is not under test here). */
export async function seedFixtureNumber(db: Db, workspaceId: string, overrides: Record<string, unknown> = {}): Promise<{ id: string }> {
  const [row] = await db('whatsapp_number')
    .insert({
      workspace_id: workspaceId,
      phone_number_id: FIXTURE_PHONE_NUMBER_ID,
      waba_id: FIXTURE_WABA_ID,
      display_phone_number: '15550002222',
      access_token_sealed: 'sealed-elsewhere',
      ...overrides,
    })
    .returning('id');
  if (!row) throw new Error('number not inserted');
  return row;
}
