import { setConsent } from '../../core/engine/set-consent';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { seedTemplates, startSendHarness, type SendHarness } from './send-harness';

const OPEN = '15550007001'; // wrote an hour ago: window open
const CLOSED = '15550007002'; // wrote two days ago: window closed
const STOPPED = '15550007003'; // opted out

describe('send policy: refused before anything is stored or sent', () => {
  let h: SendHarness;
  const ids: Record<string, string> = {};
  let key = 0;

  beforeAll(async () => {
    h = await startSendHarness();
    await seedTemplates(h);
    ids[OPEN] = await h.conversationWith(OPEN);
    ids[CLOSED] = await h.conversationWith(CLOSED, 48);
    ids[STOPPED] = await h.conversationWith(STOPPED);
    const contact: { contact_id: string } = await h.rt.db('conversation').where({ id: ids[STOPPED] }).first('contact_id');
    await setConsent(h.rt.db, h.rt.workspace.id, { contactId: contact.contact_id, whatsappNumberId: h.numberId, change: { field: 'status', value: 'opted_out' }, actor: 'test' });
  });
  afterAll(async () => {
    await h.stop();
  });
  afterEach(async () => {
    // The heart of it: a refusal leaves no message, no request, and nothing at Meta.
    expect(h.fake.state.sent).toHaveLength(0);
    expect(await h.rt.db('message').where({ direction: 'outbound' }).count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await h.rt.db('outbound_request').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  async function post(waId: string, content: unknown) {
    key += 1;
    return h.api().post(`/api/v1/conversations/${ids[waId]}/messages`).set('authorization', ADMIN_AUTH).set('idempotency-key', `policy-${key}`).send(content as object);
  }

  it('WINDOW_CLOSED (409) for free-form outside 24 h, listing the approved templates that fit', async () => {
    const res = await post(CLOSED, { type: 'text', body: 'Any news?' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'WINDOW_CLOSED', message: expect.stringContaining('24-hour'), hint: expect.stringContaining('template') });
    const names = res.body.error.templates.map((t: { name: string; language: string }) => `${t.name}/${t.language}`).sort();
    // Approved only; marketing left out without an opt-in; every language while the contact's is unknown.
    expect(names).toEqual(['order_update/de', 'order_update/en_US', 'reservation_confirmation/en_US']);
    expect(res.body.error.templates.find((t: { name: string; language: string }) => t.name === 'order_update' && t.language === 'en_US')).toMatchObject({
      category: 'UTILITY', parameter_format: 'POSITIONAL', parameters: { header: ['1'], body: ['1', '2', '3'], buttons: [{ index: 0, type: 'quick_reply' }, { index: 1, type: 'url' }] },
    });
    for (const content of [
      { type: 'reaction', message_id: 'wamid.X', emoji: '👍' },
      { type: 'interactive', interactive: { type: 'button', body: { text: 'Ok?' }, action: { buttons: [{ type: 'reply', reply: { id: 'y', title: 'Yes' } }] } } },
    ]) {
      expect((await post(CLOSED, content)).body.error.code).toBe('WINDOW_CLOSED');
    }
  });

  it('WINDOW_CLOSED narrows the templates to the contact\'s language when it is known', async () => {
    await h.rt.db('contact').where({ workspace_id: h.rt.workspace.id, wa_id: CLOSED }).update({ language: 'de' });
    const res = await post(CLOSED, { type: 'text', body: 'Any news?' });
    expect(res.body.error.templates.map((t: { name: string; language: string }) => `${t.name}/${t.language}`)).toEqual(['order_update/de']);
    await h.rt.db('contact').where({ workspace_id: h.rt.workspace.id, wa_id: CLOSED }).update({ language: null });
  });

  it('CONSENT_REVOKED (409) when the contact opted out, even inside the window and for templates', async () => {
    const text = await post(STOPPED, { type: 'text', body: 'Hi' });
    expect(text.status).toBe(409);
    expect(text.body.error).toMatchObject({ code: 'CONSENT_REVOKED', hint: expect.any(String) });
    expect((await post(STOPPED, { type: 'template', name: 'spring_sale', language: 'en_US' })).body.error.code).toBe('CONSENT_REVOKED');
  });

  it('NO_OPT_IN (409) for a marketing template without opt-in, or after marketing was stopped', async () => {
    const res = await post(OPEN, { type: 'template', name: 'spring_sale', language: 'en_US' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('NO_OPT_IN');
    const contact: { contact_id: string } = await h.rt.db('conversation').where({ id: ids[OPEN] }).first('contact_id');
    await setConsent(h.rt.db, h.rt.workspace.id, { contactId: contact.contact_id, whatsappNumberId: h.numberId, change: { field: 'status', value: 'opted_in' }, actor: 'test' });
    await setConsent(h.rt.db, h.rt.workspace.id, { contactId: contact.contact_id, whatsappNumberId: h.numberId, change: { field: 'marketing', value: 'stopped' }, actor: 'test' });
    const stopped = await post(OPEN, { type: 'template', name: 'spring_sale', language: 'en_US' });
    expect(stopped.body.error).toMatchObject({ code: 'NO_OPT_IN', message: expect.stringContaining('stopped') });
  });

  it('TEMPLATE_NOT_APPROVED (422) for rejected, paused and unknown templates', async () => {
    for (const [name, language] of [['summer_promo', 'en_US'], ['weekly_deals', 'en'], ['order_update', 'en_GB']]) {
      const res = await post(OPEN, { type: 'template', name, language });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('TEMPLATE_NOT_APPROVED');
    }
  });

  it('TEMPLATE_PARAMS_INVALID (422): counts, names, header format and URL button suffix checked against the template', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'template', name: 'order_update', language: 'en_US', header: [{ type: 'text', text: '1' }], body: [{ type: 'text', text: 'a' }], buttons: [{ type: 'url', index: 1, text: 'x' }] }, /body: the template takes 3 parameter\(s\), got 1/],
      [{ type: 'template', name: 'order_update', language: 'en_US', body: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }, { type: 'text', text: 'c' }] }, /header: the template takes 1.*button 1 is a URL/],
      [{ type: 'template', name: 'reservation_confirmation', language: 'en_US', header: [{ type: 'image', image: { id: '1' } }], body: [{ type: 'text', parameter_name: 'guests', text: '4' }, { type: 'text', parameter_name: 'date', text: 'x' }] }, /missing number_of_guests.*no parameter guests/],
      [{ type: 'template', name: 'reservation_confirmation', language: 'en_US', header: [{ type: 'text', text: 'x' }], body: [{ type: 'text', text: '4' }, { type: 'text', text: 'x' }] }, /header is image.*named parameters/],
    ];
    for (const [content, problem] of cases) {
      const res = await post(OPEN, content);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('TEMPLATE_PARAMS_INVALID');
      expect(res.body.error.message).toMatch(problem);
    }
  });

  it('MEDIA_UNSUPPORTED and MEDIA_TOO_LARGE (422) against Meta\'s limits', async () => {
    const gif = await post(OPEN, { type: 'media', kind: 'image', url: 'https://files.example.invalid/a.gif', mime_type: 'image/gif' });
    expect(gif.status).toBe(422);
    expect(gif.body.error).toMatchObject({ code: 'MEDIA_UNSUPPORTED', hint: expect.stringContaining('image/jpeg') });
    const big = await post(OPEN, { type: 'media', kind: 'video', url: 'https://files.example.invalid/a.mp4', mime_type: 'video/mp4', size: 17 * 1024 * 1024 });
    expect(big.status).toBe(422);
    expect(big.body.error.code).toBe('MEDIA_TOO_LARGE');
  });

  it('invalid content (422) and a missing Idempotency-Key (400) name the problem', async () => {
    const res = await post(OPEN, { type: 'interactive', interactive: { type: 'button', body: { text: 'Pick' }, action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `b${i}`, title: `B${i}` } })) } } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'INVALID_CONTENT', message: expect.stringContaining('at most 3 reply buttons') });
    const noKey = await h.api().post(`/api/v1/conversations/${ids[OPEN]}/messages`).set('authorization', ADMIN_AUTH).send({ type: 'text', body: 'Hi' });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });
});
