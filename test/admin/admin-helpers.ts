import crypto from 'node:crypto';
import type { Db } from '../../core/db/connect';
import { fixtureText } from '../support/fixtures';
import { TEST_ADMIN_TOKEN } from '../support/test-runtime';

export const ADMIN_AUTH = `Bearer ${TEST_ADMIN_TOKEN}`;

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 8_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the worker has taken every routed inbox event out of `pending`. */
export async function waitForInboxDrained(db: Db): Promise<void> {
  await waitFor(async () => Number((await db('inbox_event').where({ state: 'pending' }).count({ n: '*' }))[0]?.n) === 0, 'the inbox to drain');
}

export interface TextMessage {
  wamid: string;
  from: string;
  name: string;
  /** Unix seconds. */
  timestamp: number;
  body: string;
}

/** inbound-text.json, byte for byte as Meta formats it, with sender, wamid, time and text replaced. */
export function textWebhook(m: TextMessage): string {
  return fixtureText('inbound-text.json')
    .replaceAll('15550001111', m.from)
    .replace('wamid.FAKE_IN_TEXT_0001', m.wamid)
    .replace('"1750000000"', `"${m.timestamp}"`)
    .replace('Test Customer', m.name)
    .replace('Hi, my order #1234 has not arrived yet.', m.body);
}

/** A second tenant, with a number of its own, as another customer of a hosted install would have. */
export async function createOtherWorkspace(db: Db, phoneNumberId: string): Promise<{ workspaceId: string; numberId: string; sealedToken: string }> {
  const slug = `other-${crypto.randomBytes(4).toString('hex')}`;
  const [workspace]: { id: string }[] = await db('workspace').insert({ name: 'Other workspace', slug }).returning('id');
  if (!workspace) throw new Error('workspace not inserted');
  const sealedToken = `v1.other.${crypto.randomBytes(8).toString('hex')}`;
  const [number]: { id: string }[] = await db('whatsapp_number')
    .insert({ workspace_id: workspace.id, phone_number_id: phoneNumberId, waba_id: '100000000000091', display_phone_number: '15550009090', access_token_sealed: sealedToken })
    .returning('id');
  if (!number) throw new Error('number not inserted');
  return { workspaceId: workspace.id, numberId: number.id, sealedToken };
}
