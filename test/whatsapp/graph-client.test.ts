import http from 'node:http';
import { GraphClient } from '../../core/whatsapp/graph-client';
import { classifyGraphError, GraphApiError } from '../../core/whatsapp/graph-error';
import { readFixture } from '../fakes/meta/fixtures';
import { errorFixture } from '../fakes/meta/graph-errors';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';

const pnid = fixtureNumber.phoneNumberId;
const token = fixtureNumber.accessToken;

let fake: MetaFake;
let client: GraphClient;

beforeEach(async () => {
  fake = await startMetaFake();
  client = new GraphClient({ baseUrl: fake.baseUrl, version: 'v24.0' });
});
afterEach(() => fake.stop());

async function rejection(promise: Promise<unknown>): Promise<GraphApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GraphApiError) return err;
    throw err;
  }
  throw new Error('expected a GraphApiError');
}

function lastRequest() {
  const request = fake.state.requests.at(-1);
  if (!request) throw new Error('no request recorded');
  return request;
}

describe('GraphClient.getPhoneNumber', () => {
  it('reads the requested fields of the number', async () => {
    const info = await client.getPhoneNumber(pnid, token);

    expect(info).toEqual({
      id: pnid,
      displayPhoneNumber: '+1 555-000-2222',
      verifiedName: 'Example Support',
      qualityRating: 'GREEN',
      throughputLevel: 'STANDARD',
      messagingLimitTier: 'TIER_2K',
    });
    expect(lastRequest()).toMatchObject({
      method: 'GET',
      path: `/v24.0/${pnid}`,
      query: { fields: 'display_phone_number,verified_name,quality_rating,throughput,whatsapp_business_manager_messaging_limit' },
      token,
    });
  });

  it('turns a bad token into a token error (190, HTTP 401)', async () => {
    const err = await rejection(client.getPhoneNumber(pnid, 'not-a-token'));

    expect(err).toMatchObject({ kind: 'token', reason: 'graph_error', code: 190, subcode: 463, httpStatus: 401, fbtraceId: 'FAKE_FBTRACE_0002' });
  });

  it('reports an unknown phone number id as a permanent 100', async () => {
    const err = await rejection(client.getPhoneNumber('199999999999999', token));

    expect(err).toMatchObject({ kind: 'permanent', code: 100, subcode: 33, httpStatus: 400 });
    expect(err.message).toContain('Unsupported get request');
  });

  it('does not let one number\'s token read another number', async () => {
    fake.state.addNumber({ phoneNumberId: '100000000000009', displayPhoneNumber: '15550009999' });

    const err = await rejection(client.getPhoneNumber('100000000000009', token));

    expect(err).toMatchObject({ kind: 'permanent', code: 100 });
  });

  it('rejects a malformed version before sending anything', () => {
    expect(() => new GraphClient({ baseUrl: fake.baseUrl, version: 'v24' })).toThrow('v24.0');
  });
});

describe('GraphClient media', () => {
  const jpeg = Buffer.from('fake jpeg bytes');

  it('gets a media URL and downloads the bytes with the token', async () => {
    fake.state.addMedia({ id: '900000000000001', data: jpeg, mimeType: 'image/jpeg' });

    const media = await client.getMediaUrl('900000000000001', token, pnid);
    const download = await client.downloadMedia(media.url, token);

    expect(media).toMatchObject({ id: '900000000000001', mimeType: 'image/jpeg', fileSize: jpeg.length });
    expect(media.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(media.url.startsWith(`${fake.baseUrl}/media-download/900000000000001?`)).toBe(true);
    expect(download).toEqual({ data: jpeg, contentType: 'image/jpeg' });
    expect(fake.state.requests.find((r) => r.path === '/v24.0/900000000000001')?.query).toEqual({ phone_number_id: pnid });
  });

  it('flags an expired URL (404) so the caller fetches a new one', async () => {
    fake.state.addMedia({ id: '900000000000002', data: jpeg, mimeType: 'audio/ogg; codecs=opus' });
    const { url } = await client.getMediaUrl('900000000000002', token);

    fake.state.advanceTime(5 * 60_000 + 1000);
    const err = await rejection(client.downloadMedia(url, token));
    const fresh = await client.getMediaUrl('900000000000002', token);

    expect(err).toMatchObject({ mediaUrlExpired: true, reason: 'media_url_expired', httpStatus: 404, kind: 'retryable' });
    await expect(client.downloadMedia(fresh.url, token)).resolves.toEqual({ data: jpeg, contentType: 'audio/ogg; codecs=opus' });
  });

  it('needs the bearer token to download', async () => {
    fake.state.addMedia({ id: '900000000000003', data: jpeg, mimeType: 'video/mp4' });
    const { url } = await client.getMediaUrl('900000000000003', token);

    const err = await rejection(client.downloadMedia(url, 'wrong-token'));

    expect(err).toMatchObject({ kind: 'token', httpStatus: 401, mediaUrlExpired: false });
  });

  it('refuses to send the token to a host that is not Meta\'s', async () => {
    const err = await rejection(client.downloadMedia('https://attacker.example/steal', token));

    expect(err).toMatchObject({ reason: 'untrusted_url', kind: 'permanent' });
    expect(fake.state.requests).toHaveLength(0);
  });

  it('answers unknown media ids and a wrong phone_number_id guard with 100', async () => {
    fake.state.addMedia({ id: '900000000000004', data: jpeg, mimeType: 'application/pdf', phoneNumberId: pnid });
    fake.state.addNumber({ phoneNumberId: '100000000000009', accessToken: token });

    await expect(rejection(client.getMediaUrl('900000000009999', token))).resolves.toMatchObject({ code: 100 });
    await expect(rejection(client.getMediaUrl('900000000000004', token, '100000000000009'))).resolves.toMatchObject({ code: 100 });
  });
});

describe('GraphClient.markAsRead', () => {
  it('sends exactly the mark-as-read body', async () => {
    await client.markAsRead(pnid, token, 'wamid.FAKE_IN_TEXT_0001');

    expect(lastRequest()).toMatchObject({ method: 'POST', path: `/v24.0/${pnid}/messages`, status: 200 });
    expect(JSON.stringify(lastRequest().body)).toBe(JSON.stringify(readFixture('mark-as-read-request')));
    expect(fake.state.reads).toMatchObject([{ phoneNumberId: pnid, messageId: 'wamid.FAKE_IN_TEXT_0001', typing: false }]);
  });

  it('sends exactly the typing-indicator body', async () => {
    await client.markAsRead(pnid, token, 'wamid.FAKE_IN_TEXT_0001', { typing: true });

    expect(JSON.stringify(lastRequest().body)).toBe(JSON.stringify(readFixture('typing-indicator-request')));
    expect(fake.state.reads).toMatchObject([{ typing: true }]);
  });
});

describe('GraphApiError classification', () => {
  it.each([
    [130429, 'retryable', 2494055],
    [131056, 'retryable', undefined],
    [131047, 'permanent', undefined],
    [132001, 'permanent', undefined],
    [190, 'token', 463],
  ] as const)('classifies %i from Meta as %s', async (code, kind, subcode) => {
    fake.state.failNext(1, code);
    const fixture = errorFixture(`error-${code}-response`);

    const err = await rejection(client.markAsRead(pnid, token, 'wamid.FAKE_IN_TEXT_0001'));

    expect(err).toMatchObject({ code, kind, subcode, reason: 'graph_error' });
    expect(err).toMatchObject({ details: fixture.error.error_data?.details, fbtraceId: fixture.error.fbtrace_id });
    expect(err.httpStatus).toBe(code === 190 ? 401 : 400);
  });

  it('treats a 5xx without a Graph body as retryable', async () => {
    fake.state.setOutage(true, { httpStatus: 500 });

    const err = await rejection(client.getPhoneNumber(pnid, token));

    expect(err).toMatchObject({ kind: 'retryable', reason: 'http_status', httpStatus: 500, code: undefined });
  });

  it('treats a 503 with Graph code 2 as retryable', async () => {
    fake.state.setOutage(true, { graphError: true });

    const err = await rejection(client.markAsRead(pnid, token, 'wamid.FAKE_IN_TEXT_0001'));

    expect(err).toMatchObject({ kind: 'retryable', code: 2, httpStatus: 503 });
  });

  it('turns a connection failure into a retryable network error', async () => {
    const closed = await startMetaFake();
    const baseUrl = closed.baseUrl;
    await closed.stop();

    const err = await rejection(new GraphClient({ baseUrl, version: 'v24.0' }).getPhoneNumber(pnid, token));

    expect(err).toMatchObject({ kind: 'retryable', reason: 'network', httpStatus: undefined, code: undefined });
  });

  it('turns a timeout into a retryable timeout error', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      const slow = new GraphClient({ baseUrl: `http://127.0.0.1:${address.port}`, version: 'v24.0', timeoutMs: 100 });
      await expect(rejection(slow.getPhoneNumber(pnid, token))).resolves.toMatchObject({ kind: 'retryable', reason: 'timeout' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('keys on the code, not the HTTP status', () => {
    expect(classifyGraphError(130429, 400)).toBe('retryable');
    expect(classifyGraphError(131047, 500)).toBe('permanent');
    expect(classifyGraphError(0, 400)).toBe('token');
    for (const code of [2, 4, 80007, 131000, 131016, 131057]) expect(classifyGraphError(code, 400)).toBe('retryable');
    for (const code of [100, 131026, 131049, 368]) expect(classifyGraphError(code, 503)).toBe('permanent');
    expect(classifyGraphError(undefined, 502)).toBe('retryable');
    expect(classifyGraphError(undefined, 400)).toBe('permanent');
  });
});
