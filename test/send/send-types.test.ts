import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../../core/send/send-message';
import { waitFor } from '../admin/admin-helpers';
import { fixtureJson } from '../support/fixtures';
import { SENDER, seedTemplates, startSendHarness, type SendHarness } from './send-harness';

const CUSTOMER = '15550001111'; // the fixtures' recipient: request bodies compare to send-*.json as they are

/** A fixture request with the parts Threadline cannot know in advance (ids Meta assigns) replaced. */
function fixtureRequest(name: string, patch: (body: Record<string, unknown>) => void = () => undefined): Record<string, unknown> {
  const body = fixtureJson(name) as Record<string, unknown>;
  patch(body);
  return body;
}

describe('send: every kind reaches Meta in the documented shape', () => {
  let h: SendHarness;
  let conversationId: string;
  let key = 0;

  beforeAll(async () => {
    h = await startSendHarness();
    await seedTemplates(h);
    conversationId = await h.conversationWith(CUSTOMER);
  });
  afterAll(async () => {
    await h.stop();
  });

  /** Sends through core `send`, waits for Meta's answer, returns the body the fake received. */
  async function sent(content: unknown): Promise<Record<string, unknown>> {
    key += 1;
    const before = h.fake.state.sent.length;
    const result = await send({ db: h.rt.db }, { workspaceId: h.rt.workspace.id, conversationId, idempotencyKey: `types-${key}`, sender: SENDER, content });
    if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
    expect(result.outbound.state).toBe('queued');
    const message = await h.settled(result.outbound.messageId);
    expect(message.status).not.toBe('failed');
    expect(h.fake.state.sent).toHaveLength(before + 1);
    const last = h.fake.state.sent[before];
    if (!last) throw new Error('nothing sent');
    expect(message.wamid).toBe(last.wamid);
    expect(message.sent_by).toEqual(SENDER);
    return last.request;
  }

  it('text with link preview setting (send-text-request.json)', async () => {
    expect(await sent({ type: 'text', body: 'Thanks for reaching out! Your ticket number is 4711.', preview_url: false }))
      .toEqual(fixtureRequest('send-text-request.json'));
  });

  it('a reply quoting a message (send-text-reply-request.json)', async () => {
    expect(await sent({ type: 'text', body: 'We are checking order #1234 now.', replyTo: 'wamid.FAKE_IN_TEXT_0001' }))
      .toEqual(fixtureRequest('send-text-reply-request.json'));
  });

  it('a reaction, and removing it (send-reaction-request.json)', async () => {
    expect(await sent({ type: 'reaction', message_id: 'wamid.FAKE_IN_TEXT_0001', emoji: '👍' })).toEqual(fixtureRequest('send-reaction-request.json'));
    expect(await sent({ type: 'reaction', message_id: 'wamid.FAKE_IN_TEXT_0001', emoji: '' }))
      .toEqual(fixtureRequest('send-reaction-request.json', (b) => { b.reaction = { message_id: 'wamid.FAKE_IN_TEXT_0001', emoji: '' }; }));
  });

  it('interactive reply buttons and list (send-interactive-*.json)', async () => {
    const buttons = fixtureRequest('send-interactive-buttons-request.json');
    expect(await sent({ type: 'interactive', interactive: buttons.interactive })).toEqual(buttons);
    const list = fixtureRequest('send-interactive-list-request.json');
    expect(await sent({ type: 'interactive', interactive: list.interactive })).toEqual(list);
  });

  it('a positional template with currency, date and button parameters (send-template-request.json)', async () => {
    expect(await sent({
      type: 'template',
      name: 'order_update',
      language: 'en_US',
      header: [{ type: 'text', text: '1234' }],
      body: [
        { type: 'text', text: 'Test Customer' },
        { type: 'currency', currency: { fallback_value: '$25.00', code: 'USD', amount_1000: 25000 } },
        { type: 'date_time', date_time: { fallback_value: 'June 16, 2025' } },
      ],
      buttons: [{ type: 'quick_reply', index: 0, payload: 'CANCEL_ORDER_1234' }, { type: 'url', index: 1, text: '1234' }],
    })).toEqual(fixtureRequest('send-template-request.json'));
  });

  it('a named-parameter template with an image header (send-template-named-params-request.json)', async () => {
    expect(await sent({
      type: 'template',
      name: 'reservation_confirmation',
      language: 'en_US',
      header: [{ type: 'image', image: { id: '900000000000102' } }],
      body: [
        { type: 'text', parameter_name: 'number_of_guests', text: '4' },
        { type: 'text', parameter_name: 'date', text: 'August 30th, 2025' },
      ],
    })).toEqual(fixtureRequest('send-template-named-params-request.json'));
  });

  it('media: downloaded from the platform, uploaded, sent by id (send-image-by-id-request.json)', async () => {
    const files = await servePlatformFiles({ '/label.png': { type: 'image/png', data: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') } });
    try {
      const uploadsBefore = h.fake.state.requests.filter((r) => r.path.endsWith('/media')).length;
      const body = await sent({ type: 'media', kind: 'image', url: `${files.url}/label.png`, mime_type: 'image/png', caption: 'Your shipping label' });
      const uploads = h.fake.state.requests.filter((r) => r.path.endsWith('/media'));
      expect(uploads).toHaveLength(uploadsBefore + 1);
      expect(uploads.at(-1)?.body).toEqual({ messaging_product: 'whatsapp', type: 'image/png', file: { size: 16, type: 'image/png' } });
      const image = body.image as { id: string };
      expect(h.fake.state.media.get(image.id)?.mimeType).toBe('image/png');
      expect(body).toEqual(fixtureRequest('send-image-by-id-request.json', (b) => { b.image = { id: image.id, caption: 'Your shipping label' }; }));
    } finally {
      await files.stop();
    }
  });

  it('media over Meta\'s limit found only on download fails the message for its sender, nothing sent', async () => {
    const files = await servePlatformFiles({ '/huge.png': { type: 'image/png', data: Buffer.alloc(5 * 1024 * 1024 + 1) } });
    try {
      key += 1;
      const before = h.fake.state.sent.length;
      const result = await send({ db: h.rt.db }, {
        workspaceId: h.rt.workspace.id, conversationId, idempotencyKey: `types-${key}`, sender: SENDER,
        content: { type: 'media', kind: 'image', url: `${files.url}/huge.png`, mime_type: 'image/png' },
      });
      if (!result.ok) throw new Error('refused before download');
      const message = await h.settled(result.outbound.messageId);
      expect(message.status).toBe('failed');
      expect(message.error_title).toMatch(/^MEDIA_TOO_LARGE: /);
      expect(h.fake.state.sent).toHaveLength(before);
      const audit = await h.rt.db('audit_log').where({ workspace_id: h.rt.workspace.id, action: 'message.failed', entity_id: message.id }).first('data');
      expect(audit?.data).toMatchObject({ sender: SENDER, conversationId });
    } finally {
      await files.stop();
    }
  });

  it('mark as read with the typing indicator before the reply (typing-indicator-request.json)', async () => {
    const before = h.fake.state.reads.length;
    await sent({ type: 'text', body: 'One moment, looking into it.', markRead: true });
    await waitFor(async () => h.fake.state.reads.length > before, 'the read receipt');
    const read = h.fake.state.reads[before];
    expect(read?.typing).toBe(true);
    expect(read?.request).toEqual(fixtureRequest('typing-indicator-request.json', (b) => { b.message_id = read?.messageId; }));
    expect(read?.messageId).toMatch(/^wamid\.IN_15550001111_/);
  });
});

/** Files as a helpdesk serves attachments: plain GETs, no Meta token. */
async function servePlatformFiles(files: Record<string, { type: string; data: Buffer }>): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type }).end(file.data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
