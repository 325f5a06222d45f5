import type { TemplateSyncDeps } from '../../core/templates/sync-templates';
import { GraphClient } from '../../core/whatsapp/graph-client';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber, type MetaFake } from '../fakes/meta/meta-fake';
import type { TestRuntime } from '../support/test-runtime';

export const WABA = fixtureNumber.wabaId;
export const PNID = fixtureNumber.phoneNumberId;

/** Connects the fixtures' number through the admin API (token checked by the fake, sealed, directory refreshed). */
export async function connectFixtureNumber(rt: TestRuntime): Promise<void> {
  const res = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
    .send({ phone_number_id: PNID, waba_id: WABA, access_token: fixtureNumber.accessToken });
  if (res.status !== 201 && res.status !== 200) throw new Error(`registering the fixture number failed: ${res.status} ${JSON.stringify(res.body)}`);
}

export function syncDeps(rt: TestRuntime, fake: MetaFake, now?: Date): TemplateSyncDeps {
  return { db: rt.db, graph: new GraphClient({ baseUrl: fake.baseUrl, version: 'v24.0' }), secrets: rt.secrets, now: now ? () => now : undefined };
}

/** Empties the fake's registry and the workspace's stored templates, so each test starts from nothing. */
export async function resetTemplates(rt: TestRuntime, fake: MetaFake): Promise<void> {
  for (const t of fake.state.templates.list(WABA)) fake.state.templates.remove(t.id);
  await rt.db('template').delete();
  fake.state.setOutage(false);
  fake.state.requests.length = 0;
}

export interface StoredTemplate {
  name: string;
  language: string;
  status: string;
  status_reason: string | null;
  status_changed_at: Date | null;
  meta_template_id: string;
  category: string;
  parameter_format: string;
  components: unknown;
}

export async function storedTemplates(rt: TestRuntime, workspaceId: string = rt.workspace.id): Promise<StoredTemplate[]> {
  return rt.db('template').where({ workspace_id: workspaceId }).orderBy(['name', 'language'])
    .select('name', 'language', 'status', 'status_reason', 'status_changed_at', 'meta_template_id', 'category', 'parameter_format', 'components');
}

/** The fake's template listing requests, in order. */
export function listingRequests(fake: MetaFake) {
  return fake.state.requests.filter((r) => r.method === 'GET' && r.path === `/v24.0/${WABA}/message_templates`);
}
