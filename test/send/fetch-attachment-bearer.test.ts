import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchAttachment } from '../../core/send/fetch-attachment';

/** A platform's credential for its attachments goes to the platform only, never where it redirects. */
describe('fetchAttachment with a bearer token', () => {
  const seen: Array<{ server: string; authorization: string | undefined }> = [];
  const servers: http.Server[] = [];
  const listen = async (name: string, handler: (res: http.ServerResponse) => void): Promise<string> => {
    const server = http.createServer((req, res) => {
      seen.push({ server: name, authorization: req.headers.authorization });
      handler(res);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('sends the token to the URL\'s origin and drops it on a redirect to another origin', async () => {
    const cdn = await listen('cdn', (res) => res.writeHead(200, { 'content-type': 'image/png' }).end('png bytes'));
    const platform = await listen('platform', (res) => res.writeHead(302, { location: `${cdn}/file.png` }).end());
    const result = await fetchAttachment(`${platform}/attachments/1`, 1024, { allowedHosts: ['127.0.0.1'], bearerToken: 'push-token-secret' });
    expect(result).toMatchObject({ ok: true, attachment: { contentType: 'image/png' } });
    expect(seen).toEqual([{ server: 'platform', authorization: 'Bearer push-token-secret' }, { server: 'cdn', authorization: undefined }]);
  });

  it('applies the limit the answered content type calls for, while reading', async () => {
    const host = await listen('host', (res) => res.writeHead(200, { 'content-type': 'image/webp' }).end(Buffer.alloc(2048)));
    const result = await fetchAttachment(`${host}/sticker.webp`, (type) => (type === 'image/webp' ? 1000 : 10_000), { allowedHosts: ['127.0.0.1'] });
    expect(result).toMatchObject({ ok: false, tooLarge: true, message: 'The file is over the 1000 byte limit' });
  });
});
