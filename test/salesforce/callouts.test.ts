import crypto from 'node:crypto';
import { CALLOUT_NONCE_RETENTION_MS, PRUNE_CALLOUT_NONCES_CRONTAB, pruneCalloutNonces } from '../../connectors/salesforce/callouts/callout-nonces';
import { salesforceLinkTypes } from '../../connectors/salesforce/link-types';
import type { ExternalLinkWrite } from '../../core/connectors/contract';
import { saveLinks } from '../../core/sync/external-links';
import { ADMIN_AUTH, textWebhook } from '../admin/admin-helpers';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import { fixtureText } from '../support/fixtures';
import { newCalloutKey, startSalesforceWorld, waitFor, type SalesforceWorld } from './salesforce-world';

const DAY = 24 * 3600;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, asserted field by field
type Answer = { status: number; body: any };

/** What the package's Apex sends for one org: ThreadlineClient.cls builds the body, the External Credential signs it. */
interface Caller {
  org: string;
  key: string;
  user: string;
}

/** `sha256=` + base64 HMAC-SHA256 over the body bytes, keyed by BLOB(key): the key string's UTF-8 bytes. */
function namedCredentialSignature(key: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', Buffer.from(key, 'utf8')).update(body, 'utf8').digest('base64')}`;
}

function calloutBody(caller: Caller, fields: Record<string, unknown>, envelope: { ts?: number; nonce?: string; org?: string } = {}): string {
  return JSON.stringify({
    ...fields, org: envelope.org ?? caller.org, user: caller.user, ts: envelope.ts ?? Date.now(), nonce: envelope.nonce ?? crypto.randomBytes(16).toString('hex'),
  });
}

describe('Salesforce package callouts (signed with the org key)', () => {
  let world: SalesforceWorld;
  let orgA: Caller;
  let orgB: Caller;
  let installA: string;
  let installB: string;
  /** Salesforce record ids, and Threadline's conversation of each customer. */
  let sf: { anaContact: string; oldLead: string; stopperContact: string; anaCase: string; bCase: string; floContact: string; nationalContact: string };
  let conversations: { ana: string; old: string; stopper: string; flo: string };

  async function post(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const res = await fetch(`${world.publicUrl}/connectors/salesforce/api/v1/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : JSON.parse(text) };
  }

  /** A callout as the package makes it, signed with `signWith`'s key (default the caller's own). */
  function callout(caller: Caller, path: string, fields: Record<string, unknown>, o: { signWith?: string; ts?: number; nonce?: string; org?: string } = {}): Promise<Answer> {
    const body = calloutBody(caller, fields, o);
    return post(path, body, { 'X-Threadline-Org': caller.org, 'X-Threadline-Signature': namedCredentialSignature(o.signWith ?? caller.key, body) });
  }

  async function customerWrites(m: { from: string; wamid: string; body: string; secondsAgo?: number }): Promise<{ contactId: string; conversationId: string }> {
    const res = await world.rt.postWebhook(textWebhook({ wamid: m.wamid, from: m.from, name: `Customer ${m.from}`, timestamp: Math.floor(Date.now() / 1000) - (m.secondsAgo ?? 60), body: m.body }));
    expect(res.status).toBe(200);
    let row: { contact_id: string; id: string } | undefined;
    await waitFor(async () => {
      row = await world.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id').where('m.wamid', m.wamid).first('c.contact_id', 'c.id');
      return row !== undefined;
    }, `${m.wamid} stored`);
    return { contactId: row?.contact_id as string, conversationId: row?.id as string };
  }

  /** A record in the fake org, as the sync (or a rep) created it. */
  function createRecord(orgId: string, object: string, fields: Record<string, unknown>): string {
    const org = world.salesforce.state.org(orgId);
    const def = org.object(object);
    if (!def) throw new Error(`no ${object} in the fake`);
    const created = org.insert(def, fields);
    if (!('id' in created)) throw new Error(`${object} not created: ${JSON.stringify(created.errors)}`);
    return created.id;
  }

  /** What the sync writes for an installation: Threadline entity → Salesforce record. */
  const link = (installationId: string, writes: ExternalLinkWrite[]) => saveLinks(world.rt.db, world.rt.workspace.id, installationId, writes);

  const linksOf = (installationId: string, entityId: string): Promise<{ external_type: string; external_id: string }[]> =>
    world.rt.db('external_link').where({ installation_id: installationId, entity_id: entityId }).select('external_type', 'external_id');

  const sentTo = (waId: string) => world.meta.state.sent.filter((s) => s.waId === waId);
  /** Time for a send job that should not exist to have run. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  beforeAll(async () => {
    world = await startSalesforceWorld();
    const [a, b] = world.orgIds as [string, string];
    orgA = { org: a, key: newCalloutKey(), user: world.salesforce.state.org(a).userId };
    orgB = { org: b, key: newCalloutKey(), user: world.salesforce.state.org(b).userId };
    const config = { phoneNumberId: fixtureNumber.phoneNumberId };
    installA = await world.install(a, { calloutKey: orgA.key, config });
    installB = await world.install(b, { calloutKey: orgB.key, config });

    world.meta.state.templates.addFixtureTemplates();
    world.meta.state.templates.add({ name: 'shipping_update', components: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} ships today.', example: { body_text: [['Ana', '#1234']] } }] });
    const synced = await world.rt.http().post('/api/v1/templates/sync').set('authorization', ADMIN_AUTH).send({ phone_number_id: fixtureNumber.phoneNumberId });
    expect(synced.status).toBe(200);

    // Records with the customers' numbers, made before they write, so the sync (running in this world) finds these
    // same records and the links it writes agree with the ones written here.
    const anaContact = createRecord(a, 'Contact', { LastName: 'Ana', MobilePhone: '+49 151 2222 0001' });
    const oldLead = createRecord(a, 'Lead', { LastName: 'Old', Company: 'Old GmbH', threadline__WhatsApp_E164__c: '+4915122220002' });
    const stopperContact = createRecord(a, 'Contact', { LastName: 'Stopper', threadline__WhatsApp_E164__c: '+4915122220003' });
    const anaCase = createRecord(a, 'Case', { Subject: 'Parcel' });
    const bCase = createRecord(b, 'Case', { Subject: 'B only' });

    const ana = await customerWrites({ from: '4915122220001', wamid: 'wamid.SF_ANA_1', body: 'Where is my parcel?' });
    const old = await customerWrites({ from: '4915122220002', wamid: 'wamid.SF_OLD_1', body: 'Thanks!', secondsAgo: 2 * DAY });
    const stopper = await customerWrites({ from: '4915122220003', wamid: 'wamid.SF_STOP_1', body: 'Hello' });
    await customerWrites({ from: '4915122220003', wamid: 'wamid.SF_STOP_2', body: 'STOP' });
    const flo = await customerWrites({ from: '4915122220004', wamid: 'wamid.SF_FLO_1', body: 'Hi', secondsAgo: 2 * DAY });
    conversations = { ana: ana.conversationId, old: old.conversationId, stopper: stopper.conversationId, flo: flo.conversationId };
    // Cases are off in this installation, so the sync writes no Case links: these are the only ones.
    await link(installA, [
      { entityType: 'contact', entityId: ana.contactId, externalType: salesforceLinkTypes.contact, externalId: anaContact },
      { entityType: 'contact', entityId: old.contactId, externalType: salesforceLinkTypes.lead, externalId: oldLead },
      { entityType: 'contact', entityId: stopper.contactId, externalType: salesforceLinkTypes.contact, externalId: stopperContact },
      { entityType: 'conversation', entityId: ana.conversationId, externalType: salesforceLinkTypes.case, externalId: anaCase },
    ]);
    await link(installB, [{ entityType: 'conversation', entityId: ana.conversationId, externalType: salesforceLinkTypes.case, externalId: bCase }]);
    // Flo is known to Threadline and the sync gave her a Lead; her Contact comes later, so only Salesforce knows it is her.
    await waitFor(async () => (await linksOf(installA, flo.contactId)).length > 0, 'the sync to link Flo');
    const floContact = createRecord(a, 'Contact', { LastName: 'Flo', threadline__WhatsApp_E164__c: '+4915122220004' });
    const nationalContact = createRecord(a, 'Contact', { LastName: 'National', Phone: '0151 2222 0009' });
    sf = { anaContact, oldLead, stopperContact, anaCase, bCase, floContact, nationalContact };
  }, 60_000);

  afterAll(async () => world?.close());

  test('an LWC callout sends a text as the Salesforce user; thread shows it with the window, consent and templates', async () => {
    const sent = await callout(orgA, 'messages', { recordId: sf.anaContact, text: 'It ships today.' });
    expect(sent).toEqual({ status: 200, body: { messageId: expect.any(String), status: 'queued' } });
    await waitFor(() => sentTo('4915122220001').length === 1, 'Meta to receive the reply');
    expect(sentTo('4915122220001')[0]?.request).toMatchObject({ type: 'text', text: { body: 'It ships today.' } });
    const row = await world.rt.db('message').where({ id: sent.body.messageId }).first('sent_by', 'conversation_id');
    expect(row).toMatchObject({ conversation_id: conversations.ana, sent_by: { platform: 'salesforce', id: `${orgA.org}:user:${orgA.user}` } });

    // The LWC may hand a 15-character id; it is the same record.
    const thread = await callout(orgA, 'thread', { recordId: sf.anaContact.slice(0, 15) });
    expect(thread.status).toBe(200);
    expect(thread.body.conversation).toEqual({
      id: conversations.ana, status: 'open', windowOpen: true, windowClosesAt: expect.any(String), consent: 'unknown', holder: null,
    });
    expect(Date.parse(thread.body.conversation.windowClosesAt)).toBeGreaterThan(Date.now());
    expect(thread.body.messages.map((m: { direction: string; text: string }) => [m.direction, m.text])).toEqual([['inbound', 'Where is my parcel?'], ['outbound', 'It ships today.']]);
    expect(thread.body.messages[1]).toEqual({
      id: sent.body.messageId, direction: 'outbound', type: 'text', text: 'It ships today.', status: expect.stringMatching(/^(queued|sent|delivered)$/),
      sentAt: expect.any(String), errorCode: null, errorMessage: null, mediaUrl: null,
    });
    expect(thread.body.templates).toContainEqual({ name: 'shipping_update', language: 'en_US', category: expect.any(String), body: 'Hi {{1}}, your order {{2}} ships today.', parameterCount: 2 });
  });

  test('a Case and the sync\'s WhatsApp_Conversation__c show the conversation linked to them; an unlinked record has none', async () => {
    expect((await callout(orgA, 'thread', { recordId: sf.anaCase })).body.conversation.id).toBe(conversations.ana);
    let synced: string | undefined;
    await waitFor(async () => {
      synced = (await linksOf(installA, conversations.ana)).find((l) => l.external_type === salesforceLinkTypes.conversation)?.external_id;
      return synced !== undefined;
    }, 'the sync to write Ana\'s WhatsApp_Conversation__c');
    expect((await callout(orgA, 'thread', { recordId: synced })).body.conversation.id).toBe(conversations.ana);
    expect((await callout(orgA, 'thread', { recordId: sf.floContact })).body).toEqual({ conversation: null, messages: [], templates: [] });
  });

  test('a customer\'s photo comes with a signed download link the package can open', async () => {
    const image = fixtureText('inbound-image.json').replaceAll('15550001111', '4915122220001').replace('wamid.FAKE_IN_IMAGE_0001', 'wamid.SF_ANA_IMG')
      .replace('"1750000500"', `"${Math.floor(Date.now() / 1000)}"`);
    expect((await world.rt.postWebhook(image)).status).toBe(200);
    let photo: { id: string; type: string; mediaUrl: string | null } | undefined;
    await waitFor(async () => {
      const thread = await callout(orgA, 'thread', { recordId: sf.anaContact });
      photo = thread.body.messages.find((m: { type: string }) => m.type === 'image');
      return photo !== undefined;
    }, 'the photo in the thread');
    expect(photo?.mediaUrl).toMatch(new RegExp(`^${world.publicUrl}/media/${photo?.id}\\?expires=\\d+&signature=`));
  });

  test('a wrongly signed callout is refused and sends nothing', async () => {
    const before = sentTo('4915122220001').length;
    const wrongKey = await callout(orgA, 'messages', { recordId: sf.anaContact, text: 'forged' }, { signWith: newCalloutKey() });
    expect(wrongKey).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED', message: expect.stringContaining('not signed') } } });
    const body = calloutBody(orgA, { recordId: sf.anaContact, text: 'tampered' });
    const tampered = await post('messages', body.replace('tampered', 'Tampered'), { 'X-Threadline-Org': orgA.org, 'X-Threadline-Signature': namedCredentialSignature(orgA.key, body) });
    expect(tampered.status).toBe(401);
    expect((await post('messages', body, { 'X-Threadline-Org': orgA.org })).status).toBe(401);
    await settle();
    expect(sentTo('4915122220001').length).toBe(before);
    expect(await world.rt.db('message').whereIn('text', ['forged', 'tampered', 'Tampered']).count('* as n').first()).toEqual({ n: 0 });
  });

  test('a replayed callout (same nonce) is refused: the message goes once', async () => {
    const before = sentTo('4915122220001').length;
    const body = calloutBody(orgA, { recordId: sf.anaContact, text: 'Only once, please.' });
    const headers = { 'X-Threadline-Org': orgA.org, 'X-Threadline-Signature': namedCredentialSignature(orgA.key, body) };
    expect((await post('messages', body, headers)).status).toBe(200);
    expect(await post('messages', body, headers)).toMatchObject({ status: 401, body: { error: { code: 'REPLAYED' } } });
    await waitFor(() => sentTo('4915122220001').length === before + 1, 'Meta to receive it');
    await settle();
    expect(sentTo('4915122220001').length).toBe(before + 1);
  });

  test('a stale or future timestamp is refused', async () => {
    for (const ts of [Date.now() - 6 * 60_000, Date.now() + 6 * 60_000]) {
      expect(await callout(orgA, 'thread', { recordId: sf.anaContact }, { ts })).toMatchObject({ status: 401, body: { error: { code: 'STALE' } } });
    }
    expect((await callout(orgA, 'thread', { recordId: sf.anaContact }, { ts: Date.now() - 4 * 60_000 })).status).toBe(200);
  });

  test('one org\'s key cannot speak for another org, nor for an org that is not connected', async () => {
    const asB = { ...orgB, key: orgA.key };
    const refused = await callout(asB, 'thread', { recordId: sf.bCase });
    const unknownOrg = await callout({ ...orgA, org: '00D000000000001AAA' }, 'thread', { recordId: sf.anaContact });
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    // The same answer either way: nobody learns which orgs are connected.
    expect(unknownOrg.body).toEqual(refused.body);
    // Signed by A for A, but the body claims B.
    expect(await callout(orgA, 'thread', { recordId: sf.anaContact }, { org: orgB.org })).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
  });

  test('org A cannot reach a record linked only in org B: 404 and nothing sent', async () => {
    const before = sentTo('4915122220001').length;
    expect(await callout(orgA, 'messages', { recordId: sf.bCase, text: 'cross-org' })).toMatchObject({ status: 404, body: { error: { code: 'NO_CONVERSATION' } } });
    expect((await callout(orgA, 'thread', { recordId: sf.bCase })).body).toEqual({ conversation: null, messages: [], templates: [] });
    // Org B, with its own key, reaches it.
    expect((await callout(orgB, 'thread', { recordId: sf.bCase })).body.conversation.id).toBe(conversations.ana);
    await settle();
    expect(sentTo('4915122220001').length).toBe(before);
  });

  test('outside the 24-hour window a text is refused with what to do; a template goes', async () => {
    const refused = await callout(orgA, 'messages', { recordId: sf.oldLead, text: 'Anything else?' });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'WINDOW_CLOSED', message: expect.stringContaining('Send an approved template instead') } } });
    const thread = await callout(orgA, 'thread', { recordId: sf.oldLead });
    expect(thread.body.conversation).toMatchObject({ windowOpen: false });
    const template = await callout(orgA, 'templates/send', { recordId: sf.oldLead, template: 'shipping_update', language: 'en_US', parameters: ['Olaf', '#77'] });
    expect(template).toEqual({ status: 200, body: { messageId: expect.any(String), status: 'queued' } });
    await waitFor(() => sentTo('4915122220002').length === 1, 'Meta to receive the template');
    expect(sentTo('4915122220002').map((s) => s.type)).toEqual(['template']);
  });

  test('a customer who opted out: 409 CONSENT_REQUIRED, nothing sent', async () => {
    await waitFor(async () => (await callout(orgA, 'thread', { recordId: sf.stopperContact })).body.conversation?.consent === 'opted_out', 'the STOP to be recorded');
    const refused = await callout(orgA, 'templates/send', { recordId: sf.stopperContact, template: 'shipping_update', language: 'en_US', parameters: ['S', '#1'] });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'CONSENT_REQUIRED', message: expect.stringContaining('opted out') } } });
    await settle();
    expect(sentTo('4915122220003')).toHaveLength(0);
  });

  test('the Flow action sends once per requestId, finding a customer by the phone on the Salesforce record', async () => {
    const fields = { recordId: sf.floContact, template: 'shipping_update', language: 'en_US', parameters: ['Flo', '#9'], requestId: 'flow-interview-0001' };
    const first = await callout(orgA, 'flow/send-template', fields);
    const retry = await callout(orgA, 'flow/send-template', fields);
    expect(first).toEqual({ status: 200, body: { messageId: expect.any(String), status: 'queued' } });
    expect(retry.status).toBe(200);
    expect(retry.body.messageId).toBe(first.body.messageId);
    await waitFor(() => sentTo('4915122220004').length >= 1, 'Meta to receive the template');
    await settle();
    expect(sentTo('4915122220004')).toHaveLength(1);
    expect(await world.rt.db('message').where({ id: first.body.messageId }).first('conversation_id')).toEqual({ conversation_id: conversations.flo });

    // A record whose phone carries no country code, and one that is not a customer, are refused with the reason.
    const national = await callout(orgA, 'flow/send-template', { ...fields, recordId: sf.nationalContact, requestId: 'flow-interview-0002' });
    expect(national).toMatchObject({ status: 422, body: { error: { code: 'NO_PHONE', message: expect.stringContaining('country code') } } });
    const opportunity = createRecord(orgA.org, 'Opportunity', { Name: 'Deal', StageName: 'Prospecting', CloseDate: '2026-12-31' });
    expect(await callout(orgA, 'flow/send-template', { ...fields, recordId: opportunity, requestId: 'flow-interview-0003' })).toMatchObject({ status: 404, body: { error: { code: 'NO_CONVERSATION' } } });
  });

  test('the Flow action on a Contact who never wrote sends the template, which starts the conversation; the sync writes it on that Contact', async () => {
    const NEW = '4915122220010';
    const contact = createRecord(orgA.org, 'Contact', { LastName: 'Nova', threadline__WhatsApp_E164__c: `+${NEW}` });
    const sent = await callout(orgA, 'flow/send-template', { recordId: contact, template: 'shipping_update', language: 'en_US', parameters: ['Nova', '#10'], requestId: 'flow-new-0001' });
    expect(sent).toEqual({ status: 200, body: { messageId: expect.any(String), status: 'queued' } });
    await waitFor(() => sentTo(NEW).length === 1, 'Meta to receive the template');
    expect(sentTo(NEW)[0]).toMatchObject({ phoneNumberId: fixtureNumber.phoneNumberId, type: 'template' });
    const started: { conversation_id: string; direction: string; wa_id: string } = await world.rt.db('message as m').join('conversation as c', 'c.id', 'm.conversation_id')
      .join('contact as k', 'k.id', 'c.contact_id').where('m.id', sent.body.messageId).first('m.conversation_id', 'm.direction', 'k.wa_id');
    expect(started).toMatchObject({ direction: 'outbound', wa_id: NEW });

    const org = world.salesforce.state.org(orgA.org);
    const conversationRecords = () => org.all('threadline__WhatsApp_Conversation__c').filter((r) => r.threadline__Customer_WaId__c === NEW);
    const messageRecords = () => org.all('threadline__WhatsApp_Message__c').filter((r) => r.threadline__Threadline_Id__c === sent.body.messageId);
    await waitFor(() => conversationRecords().length > 0 && messageRecords().length > 0, 'the sync to write the conversation and the template');
    expect(conversationRecords()).toEqual([expect.objectContaining({ threadline__Contact__c: contact })]);
    expect(conversationRecords()[0]?.threadline__Lead__c ?? null).toBeNull();
    expect(messageRecords()).toHaveLength(1);
    // The Contact was found by its number: no Lead was made for the new customer.
    expect(org.all('Lead').filter((l) => l.threadline__WhatsApp_E164__c === `+${NEW}` || l.LastName === NEW)).toEqual([]);
    // And the rep now sees the thread on the Contact.
    const thread = await callout(orgA, 'thread', { recordId: contact });
    expect(thread.body.messages.map((m: { id: string }) => m.id)).toEqual([sent.body.messageId]);
  });

  test('a Flow send that Meta fails later: the failure reaches the message record in the org (through the sync)', async () => {
    world.meta.state.lateFailures.set('4915122220002', 'status-failed-131047');
    const sent = await callout(orgA, 'flow/send-template', { recordId: sf.oldLead, template: 'shipping_update', language: 'en_US', parameters: ['Olaf', '#78'], requestId: 'flow-late-0001' });
    expect(sent.status).toBe(200);
    const records = () => world.salesforce.state.org(orgA.org).all('threadline__WhatsApp_Message__c').filter((r) => r.threadline__Threadline_Id__c === sent.body.messageId);
    await waitFor(() => records()[0]?.threadline__Status__c === 'failed', 'the failure on the WhatsApp_Message__c record');
    expect(records()[0]).toMatchObject({ threadline__Error_Code__c: '131047', threadline__Error_Message__c: expect.any(String) });
    // And the thread the rep sees says why.
    const thread = await callout(orgA, 'thread', { recordId: sf.oldLead });
    expect(thread.body.messages.find((m: { id: string }) => m.id === sent.body.messageId)).toMatchObject({ status: 'failed', errorCode: '131047', errorMessage: expect.any(String) });
  });

  test('a callout whose fields do not fit gets 400 naming them', async () => {
    expect(await callout(orgA, 'messages', { recordId: sf.anaContact, text: '' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', message: expect.stringContaining('text') } } });
    expect(await callout(orgA, 'thread', { recordId: 'not-an-id' })).toMatchObject({ status: 400, body: { error: { code: 'INVALID_REQUEST', message: expect.stringContaining('recordId') } } });
    const tooMany = { recordId: sf.oldLead, template: 'shipping_update', language: 'en_US', parameters: Array.from({ length: 11 }, () => 'x') };
    expect((await callout(orgA, 'templates/send', tooMany)).status).toBe(400);
  });

  test('nonces are kept past the timestamp window, then pruned by the worker\'s hourly task', async () => {
    expect(CALLOUT_NONCE_RETENTION_MS).toBeGreaterThan(2 * 5 * 60_000);
    const nonce = (n: string) => `prune-test-${n}`;
    for (const n of ['old', 'new']) expect((await callout(orgA, 'thread', { recordId: sf.anaContact }, { nonce: nonce(n) })).status).toBe(200);
    const nonces = world.rt.db('salesforce_callout_nonce').where({ installation_id: installA });
    await nonces.clone().where({ nonce: nonce('old') }).update({ received_at: new Date(Date.now() - CALLOUT_NONCE_RETENTION_MS - 60_000) });
    expect(await pruneCalloutNonces(world.rt.db)).toBe(1);
    expect(await nonces.clone().whereIn('nonce', [nonce('old'), nonce('new')]).pluck('nonce')).toEqual([nonce('new')]);
    expect(PRUNE_CALLOUT_NONCES_CRONTAB).toMatch(/^\S+ \* \* \* \* salesforce_prune_callout_nonces$/);
  });
});
