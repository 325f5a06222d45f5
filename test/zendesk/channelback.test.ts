import request from 'supertest';
import { addAgentAttachment } from '../fakes/zendesk/attachment-routes';
import { waitFor } from '../sync/sync-harness';
import { startZendeskMediaWorld, OTHER_NUMBER, type ZendeskMediaWorld } from './media-harness';

/**
 * Agents' replies with attachments and the channelback's authorisation (issue 4, items 3 and the
 * cross-account must-show), through the real runtime: Zendesk fake (attachments, push token) → channelback
 * → core's send → Meta fake (media upload, send).
 */
describe('Zendesk channelback: attachments and which number a reply may use', () => {
  let world: ZendeskMediaWorld;
  const ANA = '15550009001';
  const CAL = '15550009002';
  const LATE = '15550009003';
  const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('agent photo bytes')]);
  const pdf = Buffer.from('%PDF-1.4 the invoice');

  /** Form-encoded as Zendesk sends it, attachments as repeated `file_urls[]` keys (§1.6). */
  const channelback = (form: Record<string, string | undefined>, files: string[] = []) => {
    const body = new URLSearchParams(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
    for (const url of files) body.append('file_urls[]', url);
    return request(world.rt.url).post('/connectors/zendesk/channelback').set('content-type', 'application/x-www-form-urlencoded').send(body.toString());
  };
  const attach = (subdomain: string, file: { data: Buffer; contentType: string; filename: string }) =>
    addAgentAttachment(world.zendesk.state.account(subdomain), world.zendesk.baseUrlFor(subdomain), file);
  const settle = () => new Promise((r) => setTimeout(r, 400));
  const uploads = () => world.meta.state.requests.filter((r) => r.method === 'POST' && /\/media$/.test(r.path) && r.status === 200);

  beforeAll(async () => {
    world = await startZendeskMediaWorld();
    await world.customerWrites({ from: ANA, wamid: 'wamid.CB_ANA_1', body: 'Can you send the invoice?' });
    await world.customerSends('inbound-text.json', { from: CAL, wamid: 'wamid.CB_CAL_1', to: OTHER_NUMBER });
    await world.customerWrites({ from: LATE, wamid: 'wamid.CB_LATE_1', body: 'Hello?', secondsAgo: 25 * 3600 });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('text and files become the text, then each file uploaded to Meta with the same bytes and sent; once however often Zendesk retries', async () => {
    const { threadId } = await world.pushedResource('acme', 'wamid.CB_ANA_1');
    const sentBefore = world.meta.state.sent.length;
    const uploadsBefore = uploads().length;
    const files = [attach('acme', { data: jpeg, contentType: 'image/jpeg', filename: 'box.jpg' }), attach('acme', { data: pdf, contentType: 'application/pdf', filename: 'invoice 42.pdf' })];
    const form = { message: 'Here it is, and a photo of the box', thread_id: threadId, metadata: world.acme.metadata, request_unique_identifier: 'cb-files-1' };

    const answers = [await channelback(form, files), ...await Promise.all([channelback(form, files), channelback(form, files)])];
    for (const a of answers) expect({ status: a.status, body: a.body }).toEqual({ status: 200, body: { external_id: expect.stringMatching(/^threadline:message:[0-9a-f-]{36}$/), allow_channelback: true } });
    expect(new Set(answers.map((a) => a.body.external_id)).size).toBe(1);

    await waitFor(() => world.meta.state.sent.length >= sentBefore + 3, 'the three parts to reach Meta');
    await settle();
    const sent = world.meta.state.sent.slice(sentBefore);
    expect(sent.map((s) => s.type)).toEqual(['text', 'image', 'document']);
    expect(sent[0]?.request).toMatchObject({ text: { body: 'Here it is, and a photo of the box' } });
    expect(sent[2]?.request).toMatchObject({ document: { filename: 'invoice 42.pdf' } });
    expect(uploads().length).toBe(uploadsBefore + 2);
    const imageId = (sent[1]?.request as { image?: { id?: string } }).image?.id ?? '';
    const documentId = (sent[2]?.request as { document?: { id?: string } }).document?.id ?? '';
    expect(world.meta.state.media.get(imageId)?.data).toEqual(jpeg);
    expect(world.meta.state.media.get(documentId)?.data).toEqual(pdf);
    // The attachments were fetched with this account's push token, which is in no job payload.
    const jobs: { payload: unknown }[] = await world.rt.db('graphile_worker._private_jobs').select('payload');
    const requests: { content: unknown }[] = await world.rt.db('outbound_request').select('content');
    const pushToken = world.zendesk.state.account('acme').pushInstances.values().next().value?.token ?? 'missing';
    expect(JSON.stringify([jobs, requests])).not.toContain(pushToken);
  });

  it('a file over WhatsApp\'s limit for its kind is refused with a message for the agent, and nothing is sent', async () => {
    const { threadId } = await world.pushedResource('acme', 'wamid.CB_ANA_1');
    const sentBefore = world.meta.state.sent.length;
    const uploadsBefore = uploads().length;
    const big = attach('acme', { data: Buffer.alloc(5 * 1024 * 1024 + 1, 1), contentType: 'image/png', filename: 'scan.png' });
    const res = await channelback({ message: 'The scan', thread_id: threadId, metadata: world.acme.metadata, request_unique_identifier: 'cb-big' }, [big]);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ code: 'MEDIA_TOO_LARGE', error: 'Not sent to WhatsApp: scan.png is larger than WhatsApp allows for image files (5 MB): share a link to it instead.' });
    const odd = attach('acme', { data: Buffer.from('MZ'), contentType: 'application/x-msdownload', filename: 'tool.exe' });
    const refused = await channelback({ message: 'A tool', thread_id: threadId, metadata: world.acme.metadata, request_unique_identifier: 'cb-exe' }, [odd]);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 422, code: 'MEDIA_UNSUPPORTED' });
    await settle();
    expect(world.meta.state.sent.length).toBe(sentBefore);
    expect(uploads().length).toBe(uploadsBefore);
  });

  it('attachments only from this account\'s Zendesk, fetched with its push token (the fake refuses anything else)', async () => {
    const { threadId } = await world.pushedResource('acme', 'wamid.CB_ANA_1');
    const sentBefore = world.meta.state.sent.length;
    const url = attach('acme', { data: jpeg, contentType: 'image/jpeg', filename: 'box.jpg' });
    expect((await request(new URL(url).origin).get(new URL(url).pathname)).status).toBe(401);
    // globex's attachment on an acme reply: another account's file, never fetched with acme's token.
    const foreign = attach('globex', { data: jpeg, contentType: 'image/jpeg', filename: 'box.jpg' });
    const res = await channelback({ message: 'Look', thread_id: threadId, metadata: world.acme.metadata, request_unique_identifier: 'cb-foreign' }, [foreign]);
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'ATTACHMENT_REFUSED' });
    expect(world.zendesk.state.requests.some((r) => r.subdomain === 'globex' && r.path.startsWith('/attachments'))).toBe(false);
    await settle();
    expect(world.meta.state.sent.length).toBe(sentBefore);
  });

  it('one account\'s metadata cannot send from another account\'s number: not by thread, not by recipient', async () => {
    const globexThread = (await world.pushedResource('globex', 'wamid.CB_CAL_1')).threadId;
    const sentBefore = world.meta.state.sent.length;
    const byThread = await channelback({ message: 'Hi from acme', thread_id: globexThread, metadata: world.acme.metadata, request_unique_identifier: 'cb-cross-1' });
    expect(byThread.status).toBe(422);
    expect(byThread.body).toMatchObject({ code: 'NOT_FOUND', error: expect.stringContaining('not on the WhatsApp number this integration serves') });
    const byRecipient = await channelback({ message: 'Hi from acme', recipient_id: `whatsapp:${CAL}`, metadata: world.acme.metadata, request_unique_identifier: 'cb-cross-2' });
    expect({ status: byRecipient.status, code: byRecipient.body.code }).toEqual({ status: 422, code: 'NOT_FOUND' });
    await settle();
    expect(world.meta.state.sent.length).toBe(sentBefore);

    // The same reply with globex's own metadata goes, from globex's number.
    const own = await channelback({ message: 'Hi from globex', thread_id: globexThread, metadata: world.globex.metadata, request_unique_identifier: 'cb-own' });
    expect(own.status).toBe(200);
    await waitFor(() => world.meta.state.sent.length === sentBefore + 1, 'globex\'s reply');
    expect(world.meta.state.sent.at(-1)).toMatchObject({ phoneNumberId: OTHER_NUMBER.phoneNumberId, waId: CAL });
  });

  it('a reply outside the 24-hour window, with a file, gets the agent-facing reason and sends nothing', async () => {
    const { threadId } = await world.pushedResource('acme', 'wamid.CB_LATE_1');
    const sentBefore = world.meta.state.sent.length;
    const uploadsBefore = uploads().length;
    const file = attach('acme', { data: jpeg, contentType: 'image/jpeg', filename: 'box.jpg' });
    const res = await channelback({ message: 'Sorry for the wait', thread_id: threadId, metadata: world.acme.metadata, request_unique_identifier: 'cb-late' }, [file]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'WINDOW_CLOSED', error: expect.stringMatching(/^Not sent to WhatsApp: .*template/i) });
    await settle();
    expect(world.meta.state.sent.length).toBe(sentBefore);
    expect(uploads().length).toBe(uploadsBefore);
  });

  it('only public replies are sent: a channelback marked as an internal note is refused', async () => {
    const { threadId } = await world.pushedResource('acme', 'wamid.CB_ANA_1');
    const sentBefore = world.meta.state.sent.length;
    for (const [i, mark] of [{ public: 'false' }, { internal_note: 'true' }].entries()) {
      const res = await channelback({ message: 'Customer seems upset, be careful', thread_id: threadId, metadata: world.acme.metadata, request_unique_identifier: `cb-note-${i}`, ...mark });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 422, code: 'INTERNAL_NOTE' });
    }
    await settle();
    expect(world.meta.state.sent.length).toBe(sentBefore);
  });
});
