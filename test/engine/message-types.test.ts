import {
  CUSTOMER, at, conversationOf, deliver, edit, fixture, jobs, messageByWamid, textMessage, useEngineWorkspace,
} from './engine-harness';

describe('inbound messages: every fixture type stored with a typed body and a readable text', () => {
  const env = useEngineWorkspace();

  const stored = async (fixtureName: string, wamid: string) => {
    await deliver(env.db, env.ws.workspaceId, fixture(fixtureName));
    return messageByWamid(env.db, env.ws.workspaceId, wamid);
  };

  it.each([
    ['inbound-text.json', 'wamid.FAKE_IN_TEXT_0001', 'text', { type: 'text', text: { body: 'Hi, my order #1234 has not arrived yet.' } }, 'Hi, my order #1234 has not arrived yet.'],
    ['inbound-location.json', 'wamid.FAKE_IN_LOCATION_0001',
      'location', { type: 'location', location: { address: '1 Fake Street, Testville', latitude: 37.4421, longitude: -122.1616, name: 'Fake Coffee', url: 'https://example.invalid/fake-coffee' } },
      '📍 Fake Coffee, 1 Fake Street, Testville'],
    ['inbound-contacts.json', 'wamid.FAKE_IN_CONTACTS_0001', 'contacts', expect.objectContaining({ type: 'contacts', contacts: [expect.objectContaining({ name: expect.objectContaining({ formatted_name: 'Jane Example' }) })] }), '👤 Jane Example (+1 555-000-3333)'],
    ['inbound-interactive-button-reply.json', 'wamid.FAKE_IN_BUTTON_REPLY_0001',
      'interactive', { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'confirm-delivery', title: 'Confirm' } } }, 'Confirm'],
    ['inbound-list-reply.json', 'wamid.FAKE_IN_LIST_REPLY_0001',
      'interactive', { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Express', description: 'Next day to 2 days' } } },
      'Priority Express — Next day to 2 days'],
    ['inbound-flow-nfm-reply.json', 'wamid.FAKE_IN_FLOW_0001',
      'interactive', { type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: { flow_token: 'fake-flow-token', rating: '5' } } } },
      '[form] rating: 5'],
    ['inbound-template-button.json', 'wamid.FAKE_IN_TPL_BUTTON_0001', 'button', { type: 'button', button: { payload: 'CANCEL_ORDER_1234', text: 'Cancel order' } }, 'Cancel order'],
    ['inbound-order.json', 'wamid.FAKE_IN_ORDER_0001',
      'order', { type: 'order', order: { catalog_id: '700000000000001', text: 'Please deliver after 5pm', product_items: [{ product_retailer_id: 'sku-fake-001', quantity: 2, item_price: 12.5, currency: 'USD' }] } },
      '🛒 Order: 2 × sku-fake-001 (12.5 USD) — Please deliver after 5pm'],
    ['inbound-unsupported.json', 'wamid.FAKE_IN_UNSUPPORTED_0001',
      'unsupported', { type: 'unsupported', originalType: 'poll_creation', errors: [expect.objectContaining({ code: 131051 })], raw: expect.objectContaining({ id: 'wamid.FAKE_IN_UNSUPPORTED_0001' }) },
      '[unsupported message: poll_creation]'],
  ])('%s', async (name, wamid, type, body, text) => {
    const row = await stored(name, wamid);
    expect(row).toMatchObject({ direction: 'inbound', status: 'received', type, text });
    expect(row.body).toEqual(body);
  });

  it('keeps a shared contact card whole', async () => {
    const row = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_CONTACTS_0001');
    expect(row.body).toEqual({
      type: 'contacts',
      contacts: [{
        name: { formatted_name: 'Jane Example', first_name: 'Jane', last_name: 'Example' },
        phones: [{ phone: '+1 555-000-3333', wa_id: '15550003333', type: 'CELL' }],
        emails: [{ email: 'jane@example.invalid', type: 'WORK' }],
        org: { company: 'Example Co', title: 'Buyer' },
      }],
    });
  });

  it('stores the WhatsApp timestamp as sent_at', async () => {
    const row = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TEXT_0001');
    expect(row.sent_at).toEqual(at(1750000000));
  });

  describe('media: a pending media row and a download job, in the same transaction', () => {
    it.each([
      ['inbound-image.json', 'wamid.FAKE_IN_IMAGE_0001', 'image', '[image] Photo of the damaged box', { meta_media_id: '900000000000001', mime_type: 'image/jpeg', filename: null }],
      ['inbound-audio-voice.json', 'wamid.FAKE_IN_AUDIO_0001', 'audio', '[voice message]', { meta_media_id: '900000000000002', mime_type: 'audio/ogg; codecs=opus', filename: null }],
      ['inbound-video.json', 'wamid.FAKE_IN_VIDEO_0001', 'video', '[video] Unboxing video', { meta_media_id: '900000000000003', mime_type: 'video/mp4', filename: null }],
      ['inbound-document.json', 'wamid.FAKE_IN_DOC_0001', 'document', '[document] receipt.pdf — My receipt', { meta_media_id: '900000000000004', mime_type: 'application/pdf', filename: 'receipt.pdf' }],
      ['inbound-sticker.json', 'wamid.FAKE_IN_STICKER_0001', 'sticker', '[sticker]', { meta_media_id: '900000000000005', mime_type: 'image/webp', filename: null }],
    ])('%s', async (name, wamid, type, text, media) => {
      const row = await stored(name, wamid);
      expect(row).toMatchObject({ type, text });
      expect(row.body).toMatchObject({ type, [type]: { id: media.meta_media_id, mime_type: media.mime_type } });
      const mediaRow = await env.db('media').where({ workspace_id: env.ws.workspaceId, message_id: row.id }).first();
      expect(mediaRow).toMatchObject({ ...media, state: 'pending', whatsapp_number_id: env.ws.numberId });
      expect(mediaRow.source_url).toMatch(/^https:\/\/lookaside\.fbsbx\.com\//);
      expect(mediaRow.sha256).toMatch(/=$/);
      const queued = (await jobs(env.db, 'media.download')).filter((j) => j.payload.mediaId === mediaRow.id);
      expect(queued).toEqual([{ task: 'media.download', payload: { workspaceId: env.ws.workspaceId, mediaId: mediaRow.id }, max_attempts: 8 }]);
    });

    it('keeps the voice and animated flags in the body', async () => {
      expect((await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_AUDIO_0001')).body).toMatchObject({ audio: { voice: true } });
      expect((await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_STICKER_0001')).body).toMatchObject({ sticker: { animated: false } });
    });
  });

  describe('context, forwarding and referral', () => {
    it('a quoted reply points at the message it answers', async () => {
      const row = await stored('inbound-text-reply-context.json', 'wamid.FAKE_IN_TEXT_0002');
      expect(row).toMatchObject({ context_wamid: 'wamid.FAKE_OUTBOUND_0001', forwarded: false, text: 'Yes, that is the right address.' });
    });

    it('a button tap on a template keeps the template wamid as context', async () => {
      expect(await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TPL_BUTTON_0001')).toMatchObject({ context_wamid: 'wamid.FAKE_OUT_TEMPLATE_0001' });
    });

    it('flags forwarded and frequently forwarded messages', async () => {
      expect(await stored('inbound-text-forwarded.json', 'wamid.FAKE_IN_TEXT_0003')).toMatchObject({ forwarded: true, frequently_forwarded: false, context_wamid: null });
      const often = edit(fixture('inbound-text-forwarded.json'), 'messages', (m) => {
        m.id = 'wamid.FAKE_IN_TEXT_OFTEN';
        m.context = { frequently_forwarded: true };
      });
      await deliver(env.db, env.ws.workspaceId, often);
      expect(await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TEXT_OFTEN')).toMatchObject({ forwarded: false, frequently_forwarded: true });
    });

    it('keeps the product a customer asked about', async () => {
      const row = await stored('inbound-text-referred-product.json', 'wamid.FAKE_IN_TEXT_0004');
      expect(row.referred_product).toEqual({ catalog_id: '700000000000001', product_retailer_id: 'sku-fake-001' });
      expect(row.context_wamid).toBe('wamid.FAKE_OUT_PRODUCT_0001');
    });

    it('keeps the Click-to-WhatsApp ad referral', async () => {
      const row = await stored('inbound-text-ctwa-referral.json', 'wamid.FAKE_IN_TEXT_0005');
      expect(row.referral).toMatchObject({ source_type: 'ad', source_id: '600000000000001', ctwa_clid: 'FAKE_CTWA_CLICK_ID_0001', headline: 'Chat with us' });
    });
  });

  describe('never a crash: odd messages become placeholders', () => {
    it('an unknown type', async () => {
      const odd = edit(fixture('inbound-text.json'), 'messages', (m) => {
        m.id = 'wamid.ODD_TYPE';
        m.type = 'poll';
        m.poll = { question: 'Lunch?' };
        delete m.text;
      });
      await deliver(env.db, env.ws.workspaceId, odd);
      const row = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.ODD_TYPE');
      expect(row).toMatchObject({ type: 'unsupported', text: '[unsupported message: poll]' });
      expect(row.body).toEqual({ type: 'unsupported', originalType: 'poll', raw: expect.objectContaining({ poll: { question: 'Lunch?' } }) });
    });

    it('the older `unknown` type', async () => {
      const odd = edit(fixture('inbound-unsupported.json'), 'messages', (m) => {
        m.id = 'wamid.ODD_UNKNOWN';
        m.type = 'unknown';
        delete m.unsupported;
      });
      await deliver(env.db, env.ws.workspaceId, odd);
      expect(await messageByWamid(env.db, env.ws.workspaceId, 'wamid.ODD_UNKNOWN')).toMatchObject({ type: 'unsupported', text: '[unsupported message: unknown]' });
    });

    it('a known type that does not parse (an image without its media id)', async () => {
      const odd = edit(fixture('inbound-image.json'), 'messages', (m) => {
        m.id = 'wamid.ODD_IMAGE';
        m.image = { caption: 'no id' };
      });
      await deliver(env.db, env.ws.workspaceId, odd);
      const row = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.ODD_IMAGE');
      expect(row.body).toMatchObject({ type: 'unsupported', originalType: 'image' });
      expect(await env.db('media').where({ message_id: row.id }).first()).toBeUndefined();
    });

    it('a flow answer that is not JSON is kept as it came', async () => {
      const odd = edit(fixture('inbound-flow-nfm-reply.json'), 'messages', (m) => {
        m.id = 'wamid.ODD_FLOW';
        m.interactive = { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: 'not json' } };
      });
      await deliver(env.db, env.ws.workspaceId, odd);
      const row = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.ODD_FLOW');
      expect(row.body).toEqual({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: 'not json' } } });
      expect(row.text).toBe('[form] Sent');
    });

    it('request_welcome', async () => {
      const welcome = edit(fixture('inbound-text.json'), 'messages', (m) => {
        m.id = 'wamid.WELCOME';
        m.type = 'request_welcome';
        delete m.text;
      });
      await deliver(env.db, env.ws.workspaceId, welcome);
      const row = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.WELCOME');
      expect(row.body).toEqual({ type: 'request_welcome' });
      expect(row.text).toBe('[opened the chat]');
    });
  });

  describe('duplicates are no-ops', () => {
    it('a redelivered message changes nothing: no second row, thread untouched, no second download', async () => {
      const before = await conversationOf(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_IMAGE_0001');
      const downloads = (await jobs(env.db, 'media.download')).length;
      await deliver(env.db, env.ws.workspaceId, fixture('inbound-image.json'), { redeliver: true });
      await deliver(env.db, env.ws.workspaceId, fixture('inbound-text.json'), { redeliver: true });
      expect(await env.db('message').where({ workspace_id: env.ws.workspaceId, wamid: 'wamid.FAKE_IN_IMAGE_0001' }).count({ n: '*' })).toEqual([{ n: 1 }]);
      expect(await env.db('message').where({ workspace_id: env.ws.workspaceId, wamid: 'wamid.FAKE_IN_TEXT_0001' }).count({ n: '*' })).toEqual([{ n: 1 }]);
      expect(await conversationOf(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_IMAGE_0001')).toEqual(before);
      expect((await jobs(env.db, 'media.download')).length).toBe(downloads);
    });

    it('a redelivery long after the thread went quiet does not close it or start another', async () => {
      const late = textMessage({ id: 'wamid.DUP_LATER', body: 'again', timestamp: 1_750_000_000, from: '15550002020' });
      await deliver(env.db, env.ws.workspaceId, late);
      await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.DUP_LATER_2', body: 'later', timestamp: 1_750_500_000, from: '15550002020' }));
      const conversations = await env.db('conversation').where({ workspace_id: env.ws.workspaceId }).whereIn('id', env.db('message').select('conversation_id').whereIn('wamid', ['wamid.DUP_LATER', 'wamid.DUP_LATER_2']));
      expect(conversations).toHaveLength(2);
      await deliver(env.db, env.ws.workspaceId, late, { redeliver: true });
      const after = await env.db('conversation').where({ workspace_id: env.ws.workspaceId }).whereIn('id', conversations.map((c) => c.id));
      expect(after).toEqual(expect.arrayContaining(conversations));
    });
  });

  it('a batched webhook: every message of every change, and a status for a message not stored yet', async () => {
    await deliver(env.db, env.ws.workspaceId, fixture('inbound-batched-multiple.json'));
    const first = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TEXT_0101');
    const second = await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TEXT_0102');
    expect([first.text, second.text]).toEqual(['first', 'second']);
    expect(first.conversation_id).toBe(second.conversation_id);
    const status = await env.db('message_status').where({ workspace_id: env.ws.workspaceId, wamid: 'wamid.FAKE_OUTBOUND_0001', status: 'read' }).first();
    expect(status).toMatchObject({ applied: false, recipient_id: CUSTOMER });
  });
});
