import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { fixtureNumber } from '../../fakes/meta/meta-fake';
import { startHubSpotWorld } from '../../hubspot/hubspot-world';
import { startSalesforceWorld } from '../../salesforce/salesforce-world';
import { TEST_ADMIN_TOKEN, TEST_APP_SECRET, type TestRuntime } from '../../support/test-runtime';
import { authorisedPair, startZendeskWorld } from '../../zendesk/zendesk-world';
import { installationSecrets, plaintextsAtRest } from './raw-rows';

/** The secrets every world makes the same way: the number's token (registered by the world), bot and trigger secrets, a console session. */
async function workspaceSecrets(rt: TestRuntime): Promise<Record<string, string>> {
  const bot = await rt.http().post('/api/v1/automation/bot/secret').set('authorization', ADMIN_AUTH).send({});
  const trigger = await rt.http().post('/api/v1/automation/trigger-secret').set('authorization', ADMIN_AUTH).send({});
  const signIn = await rt.http().post('/admin/sign-in').type('form').send({ token: TEST_ADMIN_TOKEN });
  expect([bot.status, trigger.status, signIn.status]).toEqual([201, 201, 303]);
  const session = /threadline_console=([^;]+)/.exec(String(signIn.headers['set-cookie']?.[0]))?.[1] ?? '';
  return {
    'number access token': fixtureNumber.accessToken, 'bot secret': bot.body.secret, 'trigger secret': trigger.body.secret,
    'console session token': session, 'admin token': TEST_ADMIN_TOKEN, 'Meta app secret': TEST_APP_SECRET,
  };
}

const connectCode = async (rt: TestRuntime, platform: string): Promise<string> => {
  const res = await rt.http().post(`/api/v1/${platform}/connect-codes`).set('authorization', ADMIN_AUTH).send({});
  expect(res.status).toBe(201);
  return res.body.code;
};

describe('secrets at rest: no plaintext in any raw row', () => {
  it('HubSpot: an OAuth install through a connect code and the authorize page, its tokens, and the workspace secrets', async () => {
    const world = await startHubSpotWorld({ worker: false });
    try {
      const { installationId } = await world.installThroughOAuth();
      expect(installationId).toBeDefined();
      const secrets = {
        ...await workspaceSecrets(world.rt), ...await installationSecrets(world.rt.db, world.rt.secrets, 'hubspot'),
        'HubSpot connect code': await connectCode(world.rt, 'hubspot'), 'HubSpot client secret': world.app.clientSecret,
      };
      expect(await plaintextsAtRest(world.rt.db, secrets)).toEqual([]);
      // The scan does find what is stored in plain text: it is not passing by reading nothing.
      expect(await plaintextsAtRest(world.rt.db, { 'phone number id': fixtureNumber.phoneNumberId })).toContain('phone number id in public.whatsapp_number.phone_number_id');
    } finally {
      await world.close();
    }
  });

  it('Zendesk: an installation with push token, metadata key and REST pair', async () => {
    const world = await startZendeskWorld({ worker: false });
    try {
      await world.install('acme', { credentials: authorisedPair(world.account('acme')) });
      const secrets = { ...await workspaceSecrets(world.rt), ...await installationSecrets(world.rt.db, world.rt.secrets, 'zendesk') };
      expect(Object.keys(secrets)).toEqual(expect.arrayContaining(['zendesk pushToken', 'zendesk metadataKey', 'zendesk accessToken', 'zendesk refreshToken']));
      expect(await plaintextsAtRest(world.rt.db, secrets)).toEqual([]);
    } finally {
      await world.close();
    }
  });

  it('Salesforce: an installation with its tokens and callout key, and a connect code', async () => {
    const world = await startSalesforceWorld({ worker: false });
    try {
      await world.install(world.orgIds[0] ?? '');
      const secrets = {
        ...await workspaceSecrets(world.rt), ...await installationSecrets(world.rt.db, world.rt.secrets, 'salesforce'),
        'Salesforce connect code': await connectCode(world.rt, 'salesforce'), 'Salesforce client secret': world.app.clientSecret,
      };
      expect(Object.keys(secrets)).toEqual(expect.arrayContaining(['salesforce accessToken', 'salesforce refreshToken', 'salesforce calloutKey']));
      expect(await plaintextsAtRest(world.rt.db, secrets)).toEqual([]);
    } finally {
      await world.close();
    }
  });
});
