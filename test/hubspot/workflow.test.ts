import { HUBSPOT_CONNECTOR_ID } from '../../connectors/hubspot/hubspot-id';
import { ADMIN_AUTH } from '../admin/admin-helpers';
import { legacyHeaders } from '../fakes/hubspot/request-signing';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { PUBLIC_URL, startCardWorld, waitFor, type CardWorld } from './card-world';

const A = 62515;
/** A portal whose installation serves every number of the workspace (no phoneNumberId). */
const B = 77001;
const DAY = 24 * 3600;

describe('HubSpot workflow action "Send WhatsApp template" (v2 signed, BLOCK + callback)', () => {
  let world: CardWorld;
  let hubspotAna: string;
  let hubspotBea: string;
  let hubspotGone: string;

  beforeAll(async () => {
    world = await startCardWorld([A, B]);
    const installA = await world.install(A);
    const portal = world.hubspot.state.portal(A);
    hubspotAna = portal.create('contacts', { phone: '+49 151 22220001' }, { indexed: true }).id;
    hubspotBea = portal.create('contacts', { phone: '+49 151 22220002' }, { indexed: true }).id;
    hubspotGone = portal.create('contacts', { phone: '+49 151 22220003' }, { indexed: true }).id;
    // Template sends need no open window: Ana wrote two days ago.
    await world.linkContact(installA, await world.customerWrites({ from: '4915122220001', wamid: 'wamid.WF_ANA', body: 'hello', secondsAgo: 2 * DAY }), hubspotAna);
    await world.linkContact(installA, await world.customerWrites({ from: '4915122220002', wamid: 'wamid.WF_BEA', body: 'hi' }), hubspotBea);
    await world.linkContact(installA, await world.customerWrites({ from: '4915122220003', wamid: 'wamid.WF_GONE', body: 'STOP' }), hubspotGone);
  }, 60_000);

  afterAll(async () => world?.close());

  const path = '/connectors/hubspot/workflow/send';
  const execution = (objectId: string, inputFields: Record<string, unknown>) =>
    world.hubspot.outbound.workflowActionRequest(`${world.localUrl}${path}`, { portalId: A, objectId: Number(objectId), inputFields, publicUrl: `${PUBLIC_URL}${path}` });
  const shipping = { template_name: 'shipping_update', language: 'en_US', parameter_1: 'Ana', parameter_2: '#1234' };
  const completionOf = (callbackId: string) => world.hubspot.state.callbackCompletions.find((c) => c.callbackId === callbackId);

  test('sends the template, answers BLOCK, then completes the callback with the message id once Meta reports it sent', async () => {
    const sentBefore = world.meta.state.sent.length;
    const run = execution(hubspotAna, shipping);
    const res = await world.send(run);
    expect(res).toMatchObject({ status: 200, body: { outputFields: { hs_execution_state: 'BLOCK', message_id: expect.any(String) } } });
    await waitFor(() => completionOf(run.callbackId) !== undefined, 'the callback to be completed');
    expect(completionOf(run.callbackId)).toEqual({ callbackId: run.callbackId, portalId: A, outputFields: { hs_execution_state: 'SUCCESS', message_id: res.body.outputFields.message_id, status: 'sent' } });
    expect(world.meta.state.sent.slice(sentBefore)).toEqual([expect.objectContaining({ waId: '4915122220001', type: 'template' })]);
    expect(world.meta.state.sent[sentBefore]?.request).toMatchObject({ template: { name: 'shipping_update', components: [{ type: 'body', parameters: [{ text: 'Ana' }, { text: '#1234' }] }] } });
  });

  test('a retried execution (same callbackId) sends once and completes once', async () => {
    const sentBefore = world.meta.state.sent.length;
    const run = execution(hubspotBea, { ...shipping, parameter_1: 'Bea' });
    const first = await world.send(run);
    const retry = await world.send(run);
    expect(retry.body.outputFields.message_id).toBe(first.body.outputFields.message_id);
    await waitFor(() => completionOf(run.callbackId) !== undefined, 'the callback to be completed');
    // Later statuses (delivered) must not complete it again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(world.meta.state.sent.length - sentBefore).toBe(1);
    expect(world.hubspot.state.callbackCompletions.filter((c) => c.callbackId === run.callbackId)).toHaveLength(1);
  });

  test('a send Meta refuses completes the callback FAIL_CONTINUE with the reason', async () => {
    world.meta.state.failNext(1, 132001);
    const run = execution(hubspotBea, { ...shipping, parameter_1: 'Bea again' });
    expect((await world.send(run)).body.outputFields.hs_execution_state).toBe('BLOCK');
    await waitFor(() => completionOf(run.callbackId) !== undefined, 'the failure to complete the callback');
    expect(completionOf(run.callbackId)?.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', status: 'failed', error: expect.stringContaining('132001') });
  });

  test('a failure after sent leaves the completed callback alone and is written back to the contact', async () => {
    world.meta.state.failDeliveryTo('4915122220002');
    const run = execution(hubspotBea, { ...shipping, parameter_1: 'Bea late' });
    const res = await world.send(run);
    await waitFor(() => completionOf(run.callbackId) !== undefined, 'the callback to be completed');
    await waitFor(async () => (await world.rt.db('message').where({ id: res.body.outputFields.message_id }).first('status'))?.status === 'failed', 'the late failure');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(world.hubspot.state.callbackCompletions.filter((c) => c.callbackId === run.callbackId).map((c) => c.outputFields.status)).toEqual(['sent']);
    // The workflow's owner learns of it on the record: a property with the reason (and a note, see timeline.test.ts).
    const contact = () => world.hubspot.state.portal(A).get('contacts', hubspotBea);
    await waitFor(() => typeof contact()?.properties.threadline_whatsapp_last_failure === 'string', 'the failure written back to the contact');
    expect(contact()?.properties.threadline_whatsapp_last_failure).toMatch(/131047|re-engage|24/i);
  });

  test('a send refused at once completes immediately with FAIL_CONTINUE and the reason, and sends nothing', async () => {
    const sentBefore = world.meta.state.sent.length;
    const consent = await world.send(execution(hubspotGone, shipping));
    expect(consent).toMatchObject({ status: 200, body: { outputFields: { hs_execution_state: 'FAIL_CONTINUE', error_code: 'CONSENT_REVOKED', error: expect.stringContaining('opted out') } } });
    const unknownTemplate = await world.send(execution(hubspotAna, { ...shipping, template_name: 'no_such_template' }));
    expect(unknownTemplate.body.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', error_code: 'TEMPLATE_NOT_APPROVED' });
    const stranger = world.hubspot.state.portal(A).create('contacts', { email: 'never-wrote@example.com' }, { indexed: true });
    expect((await world.send(execution(stranger.id, shipping))).body.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', error_code: 'NO_WHATSAPP_NUMBER' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.meta.state.sent.length).toBe(sentBefore);
  });

  describe('a contact who never wrote', () => {
    const waIdOfNew = '4915122220009';

    test('with a phone number gets the template, which starts the conversation, synced to that contact\'s timeline', async () => {
      const portal = world.hubspot.state.portal(A);
      const never = portal.create('contacts', { firstname: 'Nina', mobilephone: '+49 (151) 2222-0009' }, { indexed: true }).id;
      const run = execution(never, { ...shipping, parameter_1: 'Nina' });
      const res = await world.send(run);
      expect(res).toMatchObject({ status: 200, body: { outputFields: { hs_execution_state: 'BLOCK', message_id: expect.any(String) } } });
      const messageId: string = res.body.outputFields.message_id;
      await waitFor(() => completionOf(run.callbackId) !== undefined, 'the callback to be completed');
      expect(completionOf(run.callbackId)?.outputFields).toMatchObject({ hs_execution_state: 'SUCCESS', message_id: messageId, status: 'sent' });
      expect(world.meta.state.sent.filter((s) => s.waId === waIdOfNew)).toEqual([expect.objectContaining({ phoneNumberId: fixtureNumber.phoneNumberId, type: 'template' })]);

      const started: { wa_id: string; direction: string }[] = await world.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id')
        .join('contact as k', 'k.id', 'c.contact_id').where('m.id', messageId).select('k.wa_id', 'm.direction');
      expect(started).toEqual([{ wa_id: waIdOfNew, direction: 'outbound' }]);
      const logged = () => portal.communications.filter((c) => c.properties.threadline_message_id === messageId);
      await waitFor(() => logged().length > 0, 'the template on the HubSpot timeline');
      expect(logged()).toHaveLength(1);
      expect(portal.associatedIds('communications', logged()[0]?.id ?? '', 'contacts')).toEqual([never]);
      // Found by its phone, not duplicated.
      expect(portal.list('contacts').filter((c) => c.id !== never && c.properties.threadline_whatsapp_id === waIdOfNew)).toEqual([]);
    });

    test('without a number with its country code, or through a deal, is refused NO_WHATSAPP_NUMBER naming what was read', async () => {
      const sentBefore = world.meta.state.sent.length;
      const portal = world.hubspot.state.portal(A);
      const national = portal.create('contacts', { phone: '0151 2222 0010' }, { indexed: true }).id;
      const refused = await world.send(execution(national, shipping));
      expect(refused.body.outputFields).toMatchObject({
        hs_execution_state: 'FAIL_CONTINUE', error_code: 'NO_WHATSAPP_NUMBER', error: expect.stringMatching(/country code.*hs_whatsapp_phone_number, mobilephone, hs_calculated_mobile_number, phone/),
      });
      const deal = portal.create('deals', { dealname: 'New deal' }).id;
      const viaDeal = await world.send(world.hubspot.outbound.workflowActionRequest(`${world.localUrl}${path}`, {
        portalId: A, objectId: Number(deal), objectType: 'DEAL', inputFields: shipping, publicUrl: `${PUBLIC_URL}${path}`,
      }));
      expect(viaDeal.body.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', error_code: 'NO_WHATSAPP_NUMBER', error: expect.stringContaining('run the action on a contact') });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(world.meta.state.sent.length).toBe(sentBefore);
      expect(await world.rt.db('contact').where('wa_id', 'like', '%22220010').count({ n: '*' })).toEqual([{ n: 0 }]);
    });
  });

  test('an installation serving every number writes to a new contact from the workspace\'s only number, and refuses to choose between two', async () => {
    const res = await world.rt.http().post('/api/v1/installations').set('authorization', ADMIN_AUTH).send({
      connector: HUBSPOT_CONNECTOR_ID, account_id: String(B), config: { portalId: B },
      credentials: { accessToken: world.hubspot.state.issueToken(B), refreshToken: `refresh-${B}`, accessTokenExpiresAt: new Date(Date.now() + 1_800_000).toISOString() },
    });
    expect(res.status).toBe(201);
    const portal = world.hubspot.state.portal(B);
    const runOn = (contactId: string, parameter: string) => world.hubspot.outbound.workflowActionRequest(`${world.localUrl}${path}`, {
      portalId: B, objectId: Number(contactId), inputFields: { ...shipping, parameter_1: parameter }, publicUrl: `${PUBLIC_URL}${path}`,
    });
    const one = await world.send(runOn(portal.create('contacts', { phone: '+49 151 22220011' }, { indexed: true }).id, 'Uno'));
    expect(one.body.outputFields).toMatchObject({ hs_execution_state: 'BLOCK' });
    await waitFor(() => world.meta.state.sent.some((s) => s.waId === '4915122220011'), 'Meta to receive the template');
    expect(world.meta.state.sent.find((s) => s.waId === '4915122220011')?.phoneNumberId).toBe(fixtureNumber.phoneNumberId);

    const second = world.meta.state.addNumber({ phoneNumberId: '100000000000777', displayPhoneNumber: '15550007777' });
    const registered = await world.rt.http().post('/api/v1/numbers').set('authorization', ADMIN_AUTH)
      .send({ phone_number_id: second.phoneNumberId, waba_id: second.wabaId, access_token: second.accessToken, read_receipts: 'never' });
    expect(registered.status).toBe(201);
    const two = await world.send(runOn(portal.create('contacts', { phone: '+49 151 22220012' }, { indexed: true }).id, 'Due'));
    expect(two.body.outputFields).toMatchObject({ hs_execution_state: 'FAIL_CONTINUE', error_code: 'NUMBER_NOT_CHOSEN', error: expect.stringContaining('phoneNumberId') });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.meta.state.sent.filter((s) => s.waId === '4915122220012')).toEqual([]);
  });

  test('unsigned or wrongly signed executions are refused with 401 and send nothing', async () => {
    const sentBefore = world.meta.state.sent.length;
    const run = execution(hubspotAna, shipping);
    const v2 = (o: { clientSecret?: string; url?: string; body?: string }) => legacyHeaders('v2', {
      clientSecret: o.clientSecret ?? world.hubspot.state.app.clientSecret, method: 'POST', url: o.url ?? `${PUBLIC_URL}${path}`, body: o.body ?? run.body,
    });
    const without = Object.fromEntries(Object.entries(run.headers).filter(([k]) => !k.startsWith('X-HubSpot')));
    for (const headers of [without, { ...without, ...v2({ clientSecret: 'wrong-secret' }) }, { ...without, ...v2({ url: `${PUBLIC_URL}/other` }) }, { ...without, ...v2({ body: '{}' }) }]) {
      const res = await world.send({ ...run, headers });
      expect(res).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.meta.state.sent.length).toBe(sentBefore);
  });
});
