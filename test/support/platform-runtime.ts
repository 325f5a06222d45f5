import type { Connector } from '../../core/connectors/define-connector';
import type { RuntimeOptions } from '../../server/runtime';
import type { Config } from '../../server/config';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { fixtureNumber, startMetaFake, type MetaFake } from '../fakes/meta/meta-fake';
import { startTestRuntime, TEST_APP_SECRET, type TestRuntime } from './test-runtime';

export interface PlatformRuntime {
  rt: TestRuntime;
  meta: MetaFake;
  /** Stops the runtime, the Meta fake, then the platform's own (`stopPlatform`). */
  close(): Promise<void>;
}

/**
 * The real runtime between the Meta fake and one platform's fake, as an operator configures it: PUBLIC_URL is the
 * server's own address (`port`), Meta's webhooks come to it, and the fixture WhatsApp number is connected. What the
 * platform's world started before (its fake, its environment) is undone by `stopPlatform`, also when this fails.
 */
export async function startPlatformRuntime(options: {
  port: number;
  config: Partial<Config>;
  connectors: Connector[];
  worker: RuntimeOptions['worker'];
  stopPlatform(): Promise<void>;
}): Promise<PlatformRuntime> {
  const publicUrl = `http://127.0.0.1:${options.port}`;
  let meta: MetaFake | undefined;
  let rt: TestRuntime | undefined;
  const close = async () => {
    await meta?.flushWebhooks();
    await rt?.close();
    await meta?.stop();
    await options.stopPlatform();
  };
  try {
    meta = await startMetaFake({ appSecret: TEST_APP_SECRET, webhookTarget: `${publicUrl}/webhooks/whatsapp` });
    rt = await startTestRuntime({
      config: { whatsappApiBase: meta.baseUrl, port: options.port, publicUrl, ...options.config },
      worker: options.worker ?? { pollIntervalMs: 50, ioConcurrency: 4 },
      connectors: options.connectors,
    });
    const number = await rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: fixtureNumber.phoneNumberId, waba_id: fixtureNumber.wabaId, access_token: fixtureNumber.accessToken, read_receipts: 'never' });
    if (number.status !== 201) throw new Error(`number not registered: ${number.status} ${JSON.stringify(number.body)}`);
    return { rt, meta, close };
  } catch (err) {
    await close();
    throw err;
  }
}
