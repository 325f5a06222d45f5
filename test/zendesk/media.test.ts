import request from 'supertest';
import { MediaUrlSigner } from '../../core/media/signed-media-url';
import { imageWebhook } from './zendesk-helpers';
import { startZendeskMediaWorld, type ZendeskMediaWorld } from './media-harness';

/**
 * Inbound media and rich messages on Zendesk tickets (issue 4, item 2), end to end: signed webhooks
 * through the real runtime to the Zendesk fake, and the test acting as Zendesk when it downloads the
 * `file_urls` it was pushed.
 */
describe('WhatsApp media and rich messages on Zendesk tickets', () => {
  let world: ZendeskMediaWorld;
  const ANA = '15550008001';
  const BEN = '15550008002';
  const imageBytes = Buffer.from('fake image/jpeg bytes for 900000000000001');

  const commentOf = (wamid: string) => {
    const comment = world.zendesk.state.account('acme').comments.find((c) => c.external_id === `wa:${wamid}`);
    if (!comment) throw new Error(`no comment for ${wamid}`);
    return comment;
  };
  /** Zendesk fetches file_urls itself, with no credentials of ours. */
  const fetchAsZendesk = (url: string) => {
    const parsed = new URL(url);
    return request(parsed.origin).get(`${parsed.pathname}${parsed.search}`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  };

  beforeAll(async () => {
    world = await startZendeskMediaWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  it('an inbound image becomes a comment with its caption and the file, which Zendesk downloads byte for byte', async () => {
    await world.rt.postWebhook(imageWebhook({ wamid: 'wamid.MEDIA_IMG_1', from: ANA, name: 'Ana', timestamp: Math.floor(Date.now() / 1000) - 30, caption: 'the <damaged> box', mediaId: '900000000000001' }));
    await world.pushedResource('acme', 'wamid.MEDIA_IMG_1');
    const comment = commentOf('wamid.MEDIA_IMG_1');
    expect(comment.body).toBe('the <damaged> box');
    expect(comment.html_body).toBe('the &lt;damaged&gt; box');
    expect(comment.file_urls).toEqual([expect.stringMatching(new RegExp(`^${world.rt.url}/media/[0-9a-f-]{36}\\?expires=\\d+&signature=[\\w-]+$`))]);

    const res = await fetchAsZendesk(comment.file_urls[0] ?? '');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(imageBytes);
    expect(res.headers).toMatchObject({
      'content-type': 'image/jpeg',
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'content-disposition': expect.stringMatching(/^attachment; filename="whatsapp-[0-9a-f-]{36}\.jpg"/),
    });
  });

  it('a URL with another signature, expiry or message id is 403 and serves nothing; an expired one too; no such media is 404', async () => {
    const url = new URL(commentOf('wamid.MEDIA_IMG_1').file_urls[0] ?? '');
    const messageId = url.pathname.split('/').pop() ?? '';
    const variants = [
      (u: URL) => u.searchParams.set('signature', `${u.searchParams.get('signature')?.slice(0, -2) ?? ''}AA`),
      (u: URL) => u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 3600)),
      (u: URL) => { u.pathname = u.pathname.replace(messageId, '00000000-0000-4000-8000-000000000000'); },
      (u: URL) => u.searchParams.delete('signature'),
    ];
    for (const tamper of variants) {
      const forged = new URL(url);
      tamper(forged);
      const res = await fetchAsZendesk(forged.toString());
      expect({ status: res.status, code: JSON.parse(res.body.toString('utf8')).error.code }).toEqual({ status: 403, code: 'BAD_SIGNATURE' });
    }
    // Signed with the server's key, but three days and a second ago.
    const past = new MediaUrlSigner(world.rt.config.encryptionKey, world.rt.url, 1000, () => Date.now() - 3 * 24 * 3600_000);
    const expired = await fetchAsZendesk(past.urlFor(messageId));
    expect({ status: expired.status, code: JSON.parse(expired.body.toString('utf8')).error.code }).toEqual({ status: 403, code: 'URL_EXPIRED' });
    const signer = new MediaUrlSigner(world.rt.config.encryptionKey, world.rt.url);
    expect((await fetchAsZendesk(signer.urlFor('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('a file Zendesk asks for before the download job fetched it is downloaded from Meta there and then', async () => {
    const url = commentOf('wamid.MEDIA_IMG_1').file_urls[0] ?? '';
    const messageId = new URL(url).pathname.split('/').pop();
    // As it is between the push and the download job: nothing stored yet, only Meta's media id.
    await world.rt.db('media').where({ message_id: messageId }).update({ state: 'pending', blob_key: null, source_url: null });
    const downloadsBefore = world.meta.state.requests.filter((r) => r.path.includes('media-download')).length;
    const res = await fetchAsZendesk(url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(imageBytes);
    expect(world.meta.state.requests.filter((r) => r.path.includes('media-download')).length).toBe(downloadsBefore + 1);
    expect(await world.rt.db('media').where({ message_id: messageId }).first('state')).toEqual({ state: 'stored' });
  });

  it('locations, button replies, reactions, replies, contacts and unsupported messages read as a person would say them', async () => {
    await world.customerWrites({ from: BEN, wamid: 'wamid.MEDIA_BEN_TEXT', body: 'Is the <b>blue</b> one in stock?' });
    await world.customerSends('inbound-location.json', { from: BEN, wamid: 'wamid.MEDIA_BEN_LOC' });
    await world.customerSends('inbound-interactive-button-reply.json', { from: BEN, wamid: 'wamid.MEDIA_BEN_BUTTON' });
    await world.customerSends('inbound-reaction.json', { from: BEN, wamid: 'wamid.MEDIA_BEN_REACTION', target: 'wamid.MEDIA_BEN_TEXT' });
    await world.customerSends('inbound-text-reply-context.json', { from: BEN, wamid: 'wamid.MEDIA_BEN_REPLY', target: 'wamid.MEDIA_BEN_TEXT' });
    await world.customerSends('inbound-contacts.json', { from: BEN, wamid: 'wamid.MEDIA_BEN_CONTACT' });
    await world.customerSends('inbound-unsupported.json', { from: BEN, wamid: 'wamid.MEDIA_BEN_UNSUPPORTED' });
    for (const wamid of ['LOC', 'BUTTON', 'REACTION', 'REPLY', 'CONTACT', 'UNSUPPORTED']) await world.pushedResource('acme', `wamid.MEDIA_BEN_${wamid}`);

    expect(commentOf('wamid.MEDIA_BEN_LOC').body).toBe('📍 Fake Coffee, 1 Fake Street, Testville\n\nMap: https://www.google.com/maps/search/?api=1&query=37.4421%2C-122.1616');
    expect(commentOf('wamid.MEDIA_BEN_LOC').html_body).toContain('<a href="https://www.google.com/maps/search/?api=1&amp;query=37.4421%2C-122.1616">');
    expect(commentOf('wamid.MEDIA_BEN_BUTTON').body).toBe('Confirm');
    expect(commentOf('wamid.MEDIA_BEN_REACTION').body).toBe('Reacted 👍 to "Is the <b>blue</b> one in stock?"');
    expect(commentOf('wamid.MEDIA_BEN_REACTION').html_body).toBe('Reacted 👍 to &quot;Is the &lt;b&gt;blue&lt;/b&gt; one in stock?&quot;');
    const reply = commentOf('wamid.MEDIA_BEN_REPLY');
    expect(reply.body).toMatch(/^> Is the <b>blue<\/b> one in stock\?\n\n\S/);
    expect(reply.html_body).toMatch(/^<blockquote>Is the &lt;b&gt;blue&lt;\/b&gt; one in stock\?<\/blockquote><br><br>/);
    expect(commentOf('wamid.MEDIA_BEN_CONTACT').body).toBe('👤 Jane Example (+1 555-000-3333)');
    expect(commentOf('wamid.MEDIA_BEN_UNSUPPORTED').body).toMatch(/^The customer sent a kind of WhatsApp message Threadline cannot show \(.+\): ask them to send it as text, a photo or a document\.$/);
  });
});
