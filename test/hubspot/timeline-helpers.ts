import { textWebhook } from '../admin/admin-helpers';
import type { CrmRecord, FakePortal } from '../fakes/hubspot/hubspot-fake';
import { fixtureText } from '../support/fixtures';
import { waitFor, type HubSpotWorld } from './hubspot-world';

/** HS2's helpers on HS1's world: customers writing on WhatsApp, and what the portal's timeline shows. */

export async function customerWrites(world: HubSpotWorld, m: { from: string; wamid: string; body: string; name?: string; secondsAgo?: number }): Promise<void> {
  const res = await world.rt.postWebhook(textWebhook({
    wamid: m.wamid, from: m.from, name: m.name ?? `Customer ${m.from}`, timestamp: Math.floor(Date.now() / 1000) - (m.secondsAgo ?? 60), body: JSON.stringify(m.body).slice(1, -1),
  }));
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

/** A business-scoped user (no phone number, a username) writes: the fixture with its wamid replaced. */
export async function usernameUserWrites(world: HubSpotWorld, wamid: string): Promise<void> {
  const body = fixtureText('inbound-text-bsuid-username.json')
    .replace('wamid.FAKE_IN_TEXT_BSUID_0001', wamid)
    .replace('"1750002000"', `"${Math.floor(Date.now() / 1000) - 30}"`);
  const res = await world.rt.postWebhook(body);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

/** The Threadline message id of a wamid, which each communication carries. */
export async function messageIdOf(world: HubSpotWorld, wamid: string): Promise<string | undefined> {
  const row: { id: string } | undefined = await world.rt.db('message').where({ workspace_id: world.rt.workspace.id, wamid }).first('id');
  return row?.id;
}

export function communicationOf(portal: FakePortal, messageId: string | undefined): CrmRecord[] {
  return portal.communications.filter((c) => messageId !== undefined && c.properties.threadline_message_id === messageId);
}

/** The communication logging this inbound wamid, once (waits for the sync). */
export async function loggedMessage(world: HubSpotWorld, portal: FakePortal, wamid: string, timeoutMs?: number): Promise<CrmRecord> {
  let found: CrmRecord | undefined;
  await waitFor(async () => {
    found = communicationOf(portal, await messageIdOf(world, wamid))[0];
    return found !== undefined;
  }, `${wamid} on the HubSpot timeline`, timeoutMs);
  if (!found) throw new Error('unreachable');
  return found;
}

/** Outbox rows of an installation by state: what was lost (pending/dead) shows here. */
export async function outboxStates(world: HubSpotWorld, installationId: string): Promise<Record<string, number>> {
  const rows: { state: string; n: string }[] = await world.rt.db('sync_outbox').where({ installation_id: installationId }).groupBy('state').select('state').count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}
