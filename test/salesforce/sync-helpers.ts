import { textWebhook } from '../admin/admin-helpers';
import type { SfRecord } from '../fakes/salesforce/fake-org';
import type { SalesforceWorld } from './salesforce-world';
import { waitFor } from './salesforce-world';

/** The sync tests' view of a world: customers writing on WhatsApp, and what lands in an org. */

export async function customerWrites(world: SalesforceWorld, m: { from: string; wamid: string; body: string; name?: string; secondsAgo?: number; phoneNumberId?: string }): Promise<void> {
  let body = textWebhook({ wamid: m.wamid, from: m.from, name: m.name ?? `Customer ${m.from}`, timestamp: Math.floor(Date.now() / 1000) - (m.secondsAgo ?? 60), body: m.body });
  if (m.phoneNumberId) body = body.replace('"phone_number_id": "100000000000002"', `"phone_number_id": "${m.phoneNumberId}"`);
  const res = await world.rt.postWebhook(body);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
}

export async function messageIdOf(world: SalesforceWorld, wamid: string): Promise<string | undefined> {
  const row: { id: string } | undefined = await world.rt.db('message').where({ workspace_id: world.rt.workspace.id, wamid }).first('id');
  return row?.id;
}

/** Records of a packaged object, `ns` the namespace the world's fake was started with ('' none). */
export function records(world: SalesforceWorld, orgId: string, name: string): SfRecord[] {
  const ns = world.salesforce.state.namespace;
  return world.salesforce.state.org(orgId).all(ns && name.endsWith('__c') ? `${ns}__${name}` : name);
}

/** A field of a packaged record by its unnamespaced name. */
export function field(world: SalesforceWorld, record: SfRecord | undefined, name: string): unknown {
  const ns = world.salesforce.state.namespace;
  return record?.[ns && name.endsWith('__c') ? `${ns}__${name}` : name];
}

export function messageRecord(world: SalesforceWorld, orgId: string, messageId: string | undefined): SfRecord | undefined {
  return records(world, orgId, 'WhatsApp_Message__c').find((r) => messageId !== undefined && field(world, r, 'Threadline_Id__c') === messageId);
}

/** The message record of an inbound wamid, once it is there. */
export async function syncedMessage(world: SalesforceWorld, orgId: string, wamid: string, timeoutMs?: number): Promise<SfRecord> {
  let found: SfRecord | undefined;
  await waitFor(async () => {
    found = messageRecord(world, orgId, await messageIdOf(world, wamid));
    return found !== undefined;
  }, `${wamid} in Salesforce`, timeoutMs);
  if (!found) throw new Error('unreachable');
  return found;
}

export function conversationRecord(world: SalesforceWorld, orgId: string, message: SfRecord): SfRecord | undefined {
  return records(world, orgId, 'WhatsApp_Conversation__c').find((c) => c.Id === field(world, message, 'Conversation__c'));
}

export async function outboxStates(world: SalesforceWorld, installationId: string): Promise<Record<string, number>> {
  const rows: { state: string; n: string }[] = await world.rt.db('sync_outbox').where({ installation_id: installationId }).groupBy('state').select('state').count({ n: '*' });
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export async function conversationOf(world: SalesforceWorld, waId: string): Promise<string> {
  const row: { id: string } = await world.rt.db('conversation as c').join('contact as k', 'k.id', 'c.contact_id').where({ 'k.wa_id': waId }).orderBy('c.opened_at', 'desc').first('c.id');
  return row.id;
}
