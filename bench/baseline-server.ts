import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The baseline: the least a webhook receiver must do. Reads the body, checks the Meta signature
 * over the raw bytes in constant time and answers 200. No parsing, no storage. Run as a child
 * process of bench/ingest.ts, which reads the JSON line it prints when listening.
 */
const secret = process.env.BENCH_APP_SECRET;
if (!secret) throw new Error('BENCH_APP_SECRET is required');
const appSecret = secret;
const OK = Buffer.from('{"ok":true}');
const DENIED = Buffer.from('{"error":{"code":"SIGNATURE_INVALID"}}');

function signatureMatches(body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const received = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = crypto.createHmac('sha256', appSecret).update(body).digest();
  return received.length === expected.length && crypto.timingSafeEqual(received, expected);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const header = req.headers['x-hub-signature-256'];
    const ok = req.method === 'POST' && req.url === '/webhooks/whatsapp' && signatureMatches(Buffer.concat(chunks), typeof header === 'string' ? header : undefined);
    const answer = ok ? OK : DENIED;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
    res.end(answer);
  });
});
// Same keep-alive behaviour as the Threadline server (node's defaults).
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ bench: 'ready', url: `http://127.0.0.1:${address.port}`, pid: process.pid })}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
