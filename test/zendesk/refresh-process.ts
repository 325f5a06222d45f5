import { once } from 'node:events';
import { ZendeskRestClient } from '../../connectors/zendesk/client';
import { withRestToken } from '../../connectors/zendesk/rest-token';
import { zendeskApiBase } from '../../connectors/zendesk/zendesk-settings';
import { SecretBox } from '../../core/crypto/secret-box';
import { connectDb } from '../../core/db/connect';
import { loadZendeskInstallation } from './zendesk-installation';

/**
 * Another Threadline process racing the test's own callers for one installation's REST token: loads
 * CALLERS copies of the installation, prints "ready", waits for "go" on stdin, then makes one REST call
 * per copy and prints the access tokens they used as JSON.
 */
async function main(): Promise<void> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const db = connectDb(env('DATABASE_URL'), { poolMax: 10 });
  const deps = { db, secrets: new SecretBox(Buffer.from(env('SECRET_KEY_HEX'), 'hex')) };
  try {
    const installations = await Promise.all(Array.from({ length: Number(env('CALLERS')) }, () => loadZendeskInstallation(deps, env('WORKSPACE_ID'), env('INSTALLATION_ID'))));
    process.stdout.write('ready\n');
    await once(process.stdin, 'data');
    const used = await Promise.all(installations.map((installation) => withRestToken(installation, async (token) => {
      const found = await new ZendeskRestClient({ apiBase: zendeskApiBase(), timeoutMs: 5_000 }, installation.config.subdomain, token).findUserByExternalId('whatsapp:1');
      return found.ok ? { ok: true as const, value: token } : found;
    })));
    process.stdout.write(`${JSON.stringify(used)}\n`);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(String(err));
  process.exit(1);
});
