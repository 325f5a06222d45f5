import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { signatureFor } from './webhook-signing';

export interface ReceivedWebhook {
  rawBody: string;
  signature: string | undefined;
  /** Whether the signature matches the raw bytes under the sink's app secret. */
  signatureValid: boolean;
  json: unknown;
}

export interface WebhookSink {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `count` webhooks have arrived in total; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

/** A bare HTTP receiver standing in for the app, to test what the fake posts. Answers `status` (default 200). */
export async function startWebhookSink(appSecret: string, status = 200): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const header = req.headers['x-hub-signature-256'];
      const signature = typeof header === 'string' ? header : undefined;
      const expected = Buffer.from(signatureFor(rawBody, appSecret));
      const given = Buffer.from(signature ?? '');
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        json = undefined;
      }
      received.push({ rawBody, signature, signatureValid: expected.length === given.length && timingSafeEqual(expected, given), json });
      res.writeHead(status).end();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Webhook sink is not listening on a TCP port');
  return {
    url: `http://127.0.0.1:${address.port}/webhooks/whatsapp`,
    received,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`Expected ${count} webhooks, got ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received.slice(0, count);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
