import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { createLogger } from '../core/observability/logger';
import { loadConfig } from '../server/config';
import { startEmbeddedPostgres } from '../server/embedded-postgres';
import { startRuntime } from '../server/runtime';
import { fixtureNumber } from '../test/fakes/meta/fake-state';
import { startMetaFake } from '../test/fakes/meta/meta-fake';
import { sendAsCustomer } from './simulated-customer';

/**
 * `npm run sandbox`: Threadline wired to the local Meta fake, with the fake's test number
 * connected through the admin API, plus a "customer's phone" on a control port that
 * `npm run sandbox:send` talks to. Nothing leaves this machine.
 */
const simulateBody = z.object({
  text: z.string().optional(),
  from: z.string().regex(/^\d{6,15}$/).optional(),
  name: z.string().optional(),
  media: z.object({ base64: z.string(), mimeType: z.string(), filename: z.string().optional(), caption: z.string().optional() }).optional(),
});

async function main(): Promise<void> {
  process.env.THREADLINE_DATA_DIR ??= '.threadline/sandbox';
  process.env.PORT ??= '3100';
  const config = loadConfig();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const webhookUrl = `http://127.0.0.1:${config.port}/webhooks/whatsapp`;
  const fake = await startMetaFake({ appSecret: config.metaAppSecret, webhookTarget: webhookUrl });
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pgdata') });
  const databaseUrl = config.databaseUrl ?? embedded?.url ?? '';
  // Local files may be sent from this machine in the sandbox; production fetches from public hosts only.
  const runtime = await startRuntime({
    ...config, databaseUrl, whatsappApiBase: fake.baseUrl, publicUrl: `http://127.0.0.1:${config.port}`,
    privateAttachmentHosts: [...config.privateAttachmentHosts, '127.0.0.1', 'localhost'],
  }, { logger });

  const register = await fetch(`${runtime.url}/api/v1/numbers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'on_receipt' }),
  });
  if (!register.ok) throw new Error(`registering the sandbox number failed: ${register.status} ${await register.text()}`);

  const control = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
    req.on('end', () => {
      const parsed = simulateBody.safeParse(raw ? JSON.parse(raw) : {});
      if (req.method !== 'POST' || req.url !== '/simulate' || !parsed.success) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'POST /simulate {text} or {media:{base64,mimeType}}' }));
        return;
      }
      const { media, ...rest } = parsed.data;
      sendAsCustomer(fake, webhookUrl, { ...rest, media: media && { ...media, data: Buffer.from(media.base64, 'base64') } })
        .then((result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)))
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
  });
  const controlPort = config.port + 1;
  await new Promise<void>((resolve) => control.listen(controlPort, '127.0.0.1', resolve));
  const sandboxFile = path.join(config.dataDir, 'sandbox.json');
  fs.writeFileSync(sandboxFile, JSON.stringify({ apiUrl: runtime.url, controlUrl: `http://127.0.0.1:${controlPort}`, adminToken: config.adminToken }, null, 2), { mode: 0o600 });

  process.stdout.write([
    'Threadline sandbox is running: Threadline + a local fake of the WhatsApp Cloud API.',
    `  Threadline:   ${runtime.url}   (admin token in ${sandboxFile})`,
    `  Meta fake:    ${fake.baseUrl}   test number ${fixtureNumber.phoneNumberId} connected`,
    '  Send a customer message:   npm run sandbox:send -- "Hi, where is my order?"',
    '  Send a photo:               npm run sandbox:send -- --file ./photo.jpg --caption "the box"',
    `  See it in the console:      ${runtime.url}/admin (sign in with the admin token)`,
    `  Or through the API:         curl -H "Authorization: Bearer $(jq -r .adminToken ${sandboxFile})" ${runtime.url}/api/v1/conversations`,
    '',
  ].join('\n'));

  const stop = async () => {
    control.close();
    await runtime.stop();
    await fake.stop();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
