import { signMetaPayload } from '../../../core/whatsapp/verify-signature';
import { startTestRuntime, TEST_ADMIN_TOKEN, TEST_APP_SECRET, TEST_VERIFY_TOKEN, type TestRuntime } from '../../support/test-runtime';

type Headers = Record<string, string | undefined>;

const platformApps = {
  zendesk: { clientId: 'zdg-threadline', clientSecret: 'zendesk-client-secret-0123456789', apiBase: undefined },
  hubspot: { clientId: 'hubspot-client', clientSecret: 'hubspot-client-secret-0123456789', appId: 1, apiBase: 'http://127.0.0.1:9', authBase: 'http://127.0.0.1:9' },
  salesforce: {
    clientId: 'salesforce-client', clientSecret: 'salesforce-client-secret-0123456789', loginUrl: 'http://127.0.0.1:9',
    sandboxLoginUrl: 'http://127.0.0.1:9', myDomainUrl: 'http://{domain}.127.0.0.1:9',
  },
};

/** One answer of each kind the server gives: API, Meta's webhook (both methods), install pages, console. */
async function answers(rt: TestRuntime): Promise<Array<[string, Headers]>> {
  const body = '{"object":"whatsapp_business_account","entry":[]}';
  const requests = {
    'admin API': rt.http().get('/api/v1/numbers').set('authorization', `Bearer ${TEST_ADMIN_TOKEN}`),
    'admin API refusal': rt.http().get('/api/v1/numbers'),
    'webhook POST': rt.http().post('/webhooks/whatsapp').set('content-type', 'application/json').set('x-hub-signature-256', signMetaPayload(body, TEST_APP_SECRET)).send(body),
    'webhook POST refused': rt.http().post('/webhooks/whatsapp').set('content-type', 'application/json').send(body),
    'webhook verification': rt.http().get(`/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=42`),
    'HubSpot install page': rt.http().get('/connectors/hubspot/install'),
    'Salesforce install page': rt.http().get('/connectors/salesforce/install'),
    'Zendesk OAuth callback': rt.http().get('/connectors/zendesk/oauth/callback?state=unknown&code=c'),
    'console sign-in': rt.http().get('/admin/sign-in'),
    'console asset': rt.http().get('/admin/assets/console.css'),
    'unknown path': rt.http().get('/nothing-here'),
  };
  const expectedStatus: Record<string, number> = {
    'admin API': 200, 'admin API refusal': 401, 'webhook POST': 200, 'webhook POST refused': 401, 'webhook verification': 200,
    'HubSpot install page': 200, 'Salesforce install page': 200, 'Zendesk OAuth callback': 400, 'console sign-in': 200, 'console asset': 200, 'unknown path': 404,
  };
  const result: Array<[string, Headers]> = [];
  for (const [name, request] of Object.entries(requests)) {
    const res = await request;
    // Each is the page it names (a 404 would test the fallback instead), except the deliberate refusals.
    expect({ name, status: res.status }).toEqual({ name, status: expectedStatus[name] });
    result.push([name, res.headers as Headers]);
  }
  return result;
}

function expectHardened(name: string, headers: Headers) {
  const problems: string[] = [];
  if (headers['x-content-type-options'] !== 'nosniff') problems.push('no X-Content-Type-Options: nosniff');
  if (headers['x-powered-by'] !== undefined) problems.push('X-Powered-By present');
  if (!headers['referrer-policy']) problems.push('no Referrer-Policy');
  const frameAncestors = /frame-ancestors ([^;]+)/.exec(headers['content-security-policy'] ?? '')?.[1];
  if (!frameAncestors && !headers['x-frame-options']) problems.push('neither CSP frame-ancestors nor X-Frame-Options');
  if (frameAncestors?.includes('*')) problems.push(`frame-ancestors allows anyone: ${frameAncestors}`);
  expect({ name, problems }).toEqual({ name, problems: [] });
}

describe('security headers', () => {
  it('harden every kind of answer, with HSTS when PUBLIC_URL is https', async () => {
    const rt = await startTestRuntime({ worker: false, config: { publicUrl: 'https://threadline.example.com', ...platformApps } });
    try {
      for (const [name, headers] of await answers(rt)) {
        expectHardened(name, headers);
        expect({ name, hsts: headers['strict-transport-security'] }).toEqual({ name, hsts: 'max-age=31536000; includeSubDomains' });
      }
    } finally {
      await rt.close();
    }
  });

  it('send no HSTS when PUBLIC_URL is http (development), the rest the same', async () => {
    const rt = await startTestRuntime({ worker: false, config: { publicUrl: 'http://127.0.0.1', ...platformApps } });
    try {
      for (const [name, headers] of await answers(rt)) {
        expectHardened(name, headers);
        expect({ name, hsts: headers['strict-transport-security'] }).toEqual({ name, hsts: undefined });
      }
    } finally {
      await rt.close();
    }
  });
});
