import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchAttachment } from '../../core/send/fetch-attachment';
import { isInternalAddress, publicUrlProblem } from '../../core/send/public-url-guard';

describe('files to send are fetched from public hosts only (SSRF guard)', () => {
  it.each([
    ['10.1.2.3', true], ['172.16.0.1', true], ['172.31.255.255', true], ['192.168.1.1', true], ['127.0.0.1', true], ['169.254.169.254', true],
    ['100.64.0.1', true], ['0.0.0.0', true], ['224.0.0.1', true], ['::1', true], ['fd00::1', true], ['fe80::1', true], ['::ffff:10.0.0.1', true],
    ['::ffff:7f00:1', true], ['::7f00:1', true], ['64:ff9b::7f00:1', true], ['::ffff:a9fe:a9fe', true], ['2002:7f00:1::', true], ['not-an-ip', true],
    ['8.8.8.8', false], ['172.32.0.1', false], ['2606:4700::1111', false],
  ])('%s internal: %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });

  it('names what is wrong with a URL, and lets listed hosts through', async () => {
    expect(await publicUrlProblem('ftp://files.example.com/a.pdf', [])).toMatch(/ftp: scheme is not allowed/);
    expect(await publicUrlProblem('http://169.254.169.254/latest/meta-data', [])).toMatch(/private address \(169\.254\.169\.254\)/);
    expect(await publicUrlProblem('http://localhost:1/x', [])).toMatch(/private address/);
    expect(await publicUrlProblem('http://[::1]:1/x', [])).toMatch(/private address/);
    expect(await publicUrlProblem('http://[::ffff:127.0.0.1]:1/x', [])).toMatch(/private address/);
    expect(await publicUrlProblem('https://8.8.8.8/file.png', [])).toBeNull();
    expect(await publicUrlProblem('http://127.0.0.1:1/x', ['127.0.0.1'])).toBeNull();
    expect(await publicUrlProblem('not a url', [])).toMatch(/not a valid URL/);
  });

  it('checks every redirect hop: an allowed host cannot bounce the download to an internal one', async () => {
    let secretRequests = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/secret') {
        secretRequests++;
        res.end('internal');
        return;
      }
      const { port } = server.address() as AddressInfo;
      res.writeHead(302, { location: `http://localhost:${port}/secret` }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await fetchAttachment(`http://127.0.0.1:${port}/file.png`, 1024, { allowedHosts: ['127.0.0.1'] });
      expect(result).toMatchObject({ ok: false, retryable: false });
      expect(result.ok ? '' : result.message).toMatch(/Refused to download http:\/\/localhost:\d+\/secret: .*private address/);
      expect(secretRequests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
