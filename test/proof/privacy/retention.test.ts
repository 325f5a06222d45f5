import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { seedTenant, type Tenant } from '../../support/console-seed';
import { startTestRuntime, type TestRuntime } from '../../support/test-runtime';
import { waitFor } from '../../sync/sync-harness';

jest.setTimeout(60_000);

const DAY = 86_400_000;

describe('retention settings and the daily sweep; tenant isolation of the privacy endpoints', () => {
  let rt: TestRuntime;
  let ours: Tenant;
  let theirs: Tenant;

  beforeAll(async () => {
    rt = await startTestRuntime({ worker: { pollIntervalMs: 50 } });
    ours = await seedTenant(rt.db, rt.workspace.id, 'Ours');
    const [other] = await rt.db('workspace').insert({ name: 'Other', slug: 'other-privacy' }).returning('id');
    theirs = await seedTenant(rt.db, other.id, 'Theirs');
  });
  afterAll(async () => {
    await rt?.close();
  });

  /** A message of our tenant's conversation, `daysAgo` old, with a stored file when `file` is set. */
  const seedMessage = async (daysAgo: number, text: string, file?: string) => {
    const sentAt = new Date(Date.now() - daysAgo * DAY);
    const [message] = await rt.db('message').insert({
      workspace_id: ours.workspaceId, conversation_id: ours.conversationId, wamid: `wamid.RET_${text}`, direction: 'inbound', type: file ? 'image' : 'text',
      body: JSON.stringify({ type: 'text', text: { body: text } }), text, status: 'received', sent_at: sentAt,
    }).returning('id');
    if (file) {
      const blobKey = `${ours.workspaceId}/ret/${file}`;
      await rt.blobs.put(blobKey, Buffer.from(`bytes of ${file}`), 'image/jpeg');
      await rt.db('media').insert({
        workspace_id: ours.workspaceId, message_id: message.id, whatsapp_number_id: ours.numberId, meta_media_id: `m-${file}`, mime_type: 'image/jpeg',
        blob_key: blobKey, state: 'stored', filename: `${file}.jpg`, created_at: sentAt, stored_at: sentAt,
      });
    }
    return { id: message.id as string, blobKey: `${ours.workspaceId}/ret/${file ?? ''}` };
  };

  test('settings are validated, stored per workspace and audited; none means kept for ever', async () => {
    const read = await rt.http().get('/api/v1/privacy/retention').set('authorization', ADMIN_AUTH);
    expect(read.body).toEqual({ message_days: null, media_days: null });
    const bad = await rt.http().put('/api/v1/privacy/retention').set('authorization', ADMIN_AUTH).send({ message_days: 0, media_days: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/message_days: .*media_days: /);
    const saved = await rt.http().put('/api/v1/privacy/retention').set('authorization', ADMIN_AUTH).send({ message_days: 365, media_days: 30 });
    expect(saved.status).toBe(200);
    expect((await rt.http().get('/api/v1/privacy/retention').set('authorization', ADMIN_AUTH)).body).toEqual({ message_days: 365, media_days: 30 });
    expect(await rt.db('audit_log').where({ workspace_id: ours.workspaceId, action: 'retention.updated' }).first('actor', 'data')).toEqual({ actor: 'admin-token', data: { message_days: 365, media_days: 30 } });
    expect((await rt.http().put('/api/v1/privacy/retention').send({ message_days: 1, media_days: 1 })).status).toBe(401);
  });

  test('the daily job removes old bodies and files, keeps recent ones and every row, and audits the counts', async () => {
    const ancient = await seedMessage(400, 'ancient', 'ancient-photo');
    const oldPhoto = await seedMessage(45, 'month-old', 'old-photo');
    const recent = await seedMessage(2, 'recent', 'new-photo');
    const exported = await rt.http().get(`/api/v1/contacts/${ours.contactId}/export`).set('authorization', ADMIN_AUTH);
    expect(exported.body.media.filter((m: { download_url: string | null }) => m.download_url?.includes('/media/'))).toHaveLength(3);
    // Another workspace's old message is not ours to sweep.
    await rt.db('message').where({ id: theirs.messageId }).update({ sent_at: new Date(Date.now() - 900 * DAY) });

    await rt.db.raw("select graphile_worker.add_job('privacy_retention', '{}'::json)");
    await waitFor(async () => (await rt.db('audit_log').where({ workspace_id: ours.workspaceId, action: 'retention.applied' })).length === 1, 'the sweep', 15_000);

    const rows = await rt.db('message').whereIn('id', [ancient.id, oldPhoto.id, recent.id]).select('id', 'text', 'body', 'body_removed_at');
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[ancient.id]).toMatchObject({ text: null, body: { removed: true } });
    expect(byId[oldPhoto.id]).toMatchObject({ text: 'month-old', body_removed_at: null });
    expect(byId[recent.id]).toMatchObject({ text: 'recent', body_removed_at: null });
    expect(await rt.blobs.get(ancient.blobKey)).toBeNull();
    expect(await rt.blobs.get(oldPhoto.blobKey)).toBeNull();
    expect(await rt.blobs.get(recent.blobKey)).not.toBeNull();
    expect(await rt.db('media').whereIn('message_id', [ancient.id, oldPhoto.id]).pluck('state')).toEqual(['expired', 'expired']);
    expect(await rt.db('message').where({ id: theirs.messageId }).first('text')).toEqual({ text: 'Theirs secret message' });
    const audit = await rt.db('audit_log').where({ workspace_id: ours.workspaceId, action: 'retention.applied' }).first('actor', 'data');
    expect(audit).toEqual({ actor: 'system', data: { message_bodies: 1, media_files: 2, message_days: 365, media_days: 30 } });
  });

  test("another workspace's contact is 404 on export, erase and erasure, and nothing is queued", async () => {
    for (const [method, path] of [['get', 'export'], ['post', 'erase'], ['get', 'erasure']] as const) {
      const res = await rt.http()[method](`/api/v1/contacts/${theirs.contactId}/${path}`).set('authorization', ADMIN_AUTH);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'NOT_FOUND']);
    }
    expect(await rt.db('contact_erasure').where({ contact_id: theirs.contactId })).toEqual([]);
    expect(await rt.db('contact').where({ id: theirs.contactId }).first('wa_id', 'erased_at')).toEqual({ wa_id: expect.stringMatching(/^\d+$/), erased_at: null });
  });
});
