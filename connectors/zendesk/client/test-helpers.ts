import type { ZendeskClientConfig } from './config';
import type { ExternalResourceInput } from './push-schema';

/** Client configuration pointing at a Zendesk fake (its `apiBase` carries `{subdomain}`). */
export function fakeConfig(apiBase: string): ZendeskClientConfig {
  return { apiBase, clientId: 'zdg-threadline', clientSecret: 'fake-oauth-client-secret', timeoutMs: 5_000 };
}

export function whatsappMessage(n: number, init: Partial<ExternalResourceInput> = {}): ExternalResourceInput {
  return {
    external_id: `wamid.TEST_${n}`,
    message: `message ${n}`,
    thread_id: 'wa:100000000000002:15551234567',
    created_at: '2026-11-21T10:00:00Z',
    author: { external_id: 'whatsapp:15551234567', name: 'Ana Customer' },
    ...init,
  };
}
