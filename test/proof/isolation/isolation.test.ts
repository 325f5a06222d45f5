import crypto from 'node:crypto';
import type request from 'supertest';
import { signRequestId } from '../../../connectors/zendesk/request-id';
import { signInstallationMetadata } from '../../../connectors/zendesk/metadata';
import { zendeskWebhookSignature } from '../../../connectors/zendesk/csat/ticket-solved';
import { ruleExample } from '../../../core/automation/rule-examples';
import { signTrigger, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../core/automation/trigger-secret';
import { MediaUrlSigner } from '../../../core/media/signed-media-url';
import { ADMIN_AUTH } from '../../admin/admin-helpers';
import { legacyHeaders, v3Headers } from '../../fakes/hubspot/request-signing';
import { servedRoutes, type ServedRoute } from '../../support/served-routes';
import { tenantFingerprint } from '../../support/tenant-fingerprint';
import { startIsolationWorld, type IsolationWorld, type PlatformTenant } from './tenant-worlds';

/**
 * Issue 9 item 3: a request authenticated as one tenant (the admin token, a bot or trigger secret, an installation's
 * signature) naming another tenant's ids gets not-found and changes nothing. Tenant A is the runtime's workspace,
 * B another workspace on the same database. Each request is valid but for the ids it names, so the tenant check is
 * what answers (`codes` pins which refusal). The routes come from the running server: a new route fails here until
 * it has a case below (or a reason it names no tenant's ids). The console has its own: test/console/isolation.test.ts.
 */

type Send = (w: IsolationWorld) => request.Test;
/**
 * The requests naming B's ids, and the answers that mean "not yours" for this route: statuses (a platform's own
 * shape where it has one) and, where a status alone could come from another check, the refusal codes.
 */
interface Case { requests: Send[]; refused: number[]; codes?: string[] }

const THIS_FILE = 'test/proof/isolation/isolation.test.ts';
const admin = (t: request.Test) => t.set('authorization', ADMIN_AUTH);
const json = (t: request.Test, body: unknown) => t.set('content-type', 'application/json').send(JSON.stringify(body));
const nonce = () => crypto.randomBytes(12).toString('hex');

/** A Salesforce package callout from `signer`'s org, signed with its key. */
function callout(w: IsolationWorld, path: string, signer: PlatformTenant, fields: Record<string, unknown>): request.Test {
  const body = JSON.stringify({ ...fields, org: signer.salesforce.orgId, user: signer.salesforce.userId, ts: Date.now(), nonce: nonce() });
  const signature = `sha256=${crypto.createHmac('sha256', Buffer.from(signer.salesforce.calloutKey, 'utf8')).update(body).digest('base64')}`;
  return w.rt.http().post(`/connectors/salesforce/api/v1/${path}`).set('x-threadline-org', signer.salesforce.orgId).set('x-threadline-signature', signature)
    .set('content-type', 'application/json').send(body);
}

/** A HubSpot request signed with the app's secret, as HubSpot signs for any portal: v3 (cards, webhooks) or v2 (workflow actions). */
function hubspot(w: IsolationWorld, path: string, body: unknown, version: 'v2' | 'v3' = 'v3'): request.Test {
  const text = JSON.stringify(body);
  const signing = { clientSecret: w.hubspotSecret, method: 'POST', url: `${w.rt.config.publicUrl}${path}`, body: text };
  return w.rt.http().post(path).set(version === 'v3' ? v3Headers(signing) : legacyHeaders('v2', signing)).set('content-type', 'application/json').send(text);
}
const cardQuery = (portal: PlatformTenant, objectId: string) => `portalId=${portal.hubspot.portalId}&userId=42&objectTypeId=0-1&objectId=${objectId}`;
/** The card asked from `portal` about `contact`'s HubSpot contact. */
const card = (w: IsolationWorld, action: string, portal: PlatformTenant, contact: PlatformTenant, body: object) =>
  hubspot(w, `/connectors/hubspot/card/${action}?${cardQuery(portal, contact.hubspot.contactId)}`, body);
const workflow = (w: IsolationWorld, portal: PlatformTenant, contact: PlatformTenant) => hubspot(w, '/connectors/hubspot/workflow/send', {
  callbackId: `iso-${nonce()}`, origin: { portalId: portal.hubspot.portalId }, object: { objectId: Number(contact.hubspot.contactId), objectType: 'CONTACT' },
  inputFields: { template_name: 'csat', language: 'en' },
}, 'v2');

/** An agent's reply as Zendesk channels it back: A's signed metadata, naming `thread`. */
const replyForm = (w: IsolationWorld, thread: PlatformTenant) => new URLSearchParams({
  message: 'hi', thread_id: `threadline:conversation:${thread.conversationId}`, metadata: signInstallationMetadata(w.a.zendesk.installationId, w.a.zendesk.metadataKey),
  request_unique_identifier: `iso-${nonce()}`,
}).toString();
/**
 * The same reply through the generic platform route, which takes JSON bodies only while Zendesk's handler reads a
 * form from the raw body: a JSON string holding the form is both (the quotes land in two throwaway fields).
 */
function genericReply(w: IsolationWorld, installationId: string, thread: PlatformTenant): request.Test {
  return w.rt.http().post(`/connectors/zendesk/installations/${installationId}/replies`).set('content-type', 'application/json')
    .send(JSON.stringify(`quote=&${replyForm(w, thread)}&quote=`));
}
/** Zendesk's "ticket solved" webhook call, signed with `secret`. */
function zendeskWebhook(w: IsolationWorld, path: string, secret: string, payload: object): request.Test {
  const body = JSON.stringify(payload);
  const timestamp = new Date().toISOString();
  return w.rt.http().post(path).set('content-type', 'application/json').set('x-zendesk-webhook-invocation-id', crypto.randomUUID())
    .set('x-zendesk-webhook-signature', zendeskWebhookSignature(secret, timestamp, Buffer.from(body))).set('x-zendesk-webhook-signature-timestamp', timestamp).send(body);
}
function trigger(w: IsolationWorld, name: string, secret: string, payload: object): request.Test {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  return w.rt.http().post(`/api/v1/triggers/${name}`).set('content-type', 'application/json').set('idempotency-key', crypto.randomUUID())
    .set(SIGNATURE_HEADER, signTrigger(secret, timestamp, body)).set(TIMESTAMP_HEADER, timestamp).send(body);
}
const bot = (w: IsolationWorld, path: string, secret: string, body: object) =>
  json(w.rt.http().post(path).set('authorization', `Bearer ${secret}`).set('idempotency-key', crypto.randomUUID()), body);

/** The trigger only B defines: A's secret calling it must not reach B's rule. */
const B_TRIGGER = (JSON.parse(ruleExample('triggers') ?? '{"triggers":[{"name":"missing"}]}') as { triggers: { name: string }[] }).triggers[0]?.name ?? 'missing';

const NOT_FOUND = [404];
/** A WhatsApp-shaped access token (the route checks its length before anything else). */
const TOKEN = 'EAAG-isolation-access-token';

/** Every served route that takes a tenant's ids, keyed `METHOD path`. */
const CASES: Record<string, Case> = {
  // Admin API: its token acts on the runtime's workspace (A).
  'GET /api/v1/conversations/:id': { requests: [(w) => admin(w.rt.http().get(`/api/v1/conversations/${w.b.conversationId}`))], refused: NOT_FOUND },
  // Privacy: B's contact is exported, erased or reported to nobody but B.
  'GET /api/v1/contacts/:contactId/export': { requests: [(w) => admin(w.rt.http().get(`/api/v1/contacts/${w.b.contactId}/export`))], refused: NOT_FOUND },
  'POST /api/v1/contacts/:contactId/erase': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/contacts/${w.b.contactId}/erase`)), {})], refused: NOT_FOUND },
  'GET /api/v1/contacts/:contactId/erasure': { requests: [(w) => admin(w.rt.http().get(`/api/v1/contacts/${w.b.contactId}/erasure`))], refused: NOT_FOUND },
  'POST /api/v1/conversations/:id/messages': {
    requests: [(w) => json(admin(w.rt.http().post(`/api/v1/conversations/${w.b.conversationId}/messages`)).set('idempotency-key', crypto.randomUUID()), { type: 'text', body: 'hi' })],
    refused: NOT_FOUND,
  },
  'POST /api/v1/conversations/:id/assign': {
    requests: [(w) => json(admin(w.rt.http().post(`/api/v1/conversations/${w.b.conversationId}/assign`)), { assignee: { platform: 'admin-api', id: 'agent-1', name: 'Agent' } })],
    refused: NOT_FOUND,
  },
  'POST /api/v1/conversations/:id/close': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/conversations/${w.b.conversationId}/close`)), {})], refused: NOT_FOUND },
  'POST /api/v1/conversations/:id/reopen': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/conversations/${w.b.conversationId}/reopen`)), {})], refused: NOT_FOUND },
  'POST /api/v1/conversations/:id/hand-to-bot': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/conversations/${w.b.conversationId}/hand-to-bot`)), {})], refused: NOT_FOUND },
  'POST /api/v1/dead-letters/:id/replay': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/dead-letters/${w.b.inboxDeadId}/replay`)), {})], refused: NOT_FOUND },
  'POST /api/v1/sync/dead-letters/:id/replay': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/sync/dead-letters/${w.b.syncDeadId}/replay`)), {})], refused: NOT_FOUND },
  'POST /api/v1/automation/bot/dead-letters/:id/replay': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/automation/bot/dead-letters/${w.b.botDeadId}/replay`)), {})], refused: NOT_FOUND },
  // B's installation; then A's, moved onto B's number (a setting naming another workspace's number is a 422 in the API).
  'PATCH /api/v1/installations/:id': {
    requests: [(w) => json(admin(w.rt.http().patch(`/api/v1/installations/${w.b.zendesk.installationId}`)), { settings: { csat: null } }),
      (w) => json(admin(w.rt.http().patch(`/api/v1/installations/${w.a.zendesk.installationId}`)), { settings: { phoneNumberId: w.b.phoneNumberId } })],
    refused: [404, 422], codes: ['NOT_FOUND', 'NUMBER_NOT_FOUND'],
  },
  'DELETE /api/v1/installations/:id': { requests: [(w) => admin(w.rt.http().delete(`/api/v1/installations/${w.b.zendesk.installationId}`))], refused: NOT_FOUND },
  // B's contact on A's number, and on B's number.
  'PUT /api/v1/contacts/:contactId/consent': {
    requests: [(w) => json(admin(w.rt.http().put(`/api/v1/contacts/${w.b.contactId}/consent`)), { phone_number_id: w.a.phoneNumberId, status: 'opted_out' }),
      (w) => json(admin(w.rt.http().put(`/api/v1/contacts/${w.b.contactId}/consent`)), { phone_number_id: w.b.phoneNumberId, status: 'opted_out' })],
    refused: NOT_FOUND,
  },
  'POST /api/v1/zendesk/installations/:id/provision-csat': { requests: [(w) => json(admin(w.rt.http().post(`/api/v1/zendesk/installations/${w.b.zendesk.installationId}/provision-csat`)), {})], refused: NOT_FOUND },
  'DELETE /api/v1/hubspot/installations/:id': { requests: [(w) => admin(w.rt.http().delete(`/api/v1/hubspot/installations/${w.b.hubspot.installationId}`))], refused: NOT_FOUND },
  'DELETE /api/v1/salesforce/installations/:id': { requests: [(w) => admin(w.rt.http().delete(`/api/v1/salesforce/installations/${w.b.salesforce.installationId}`))], refused: NOT_FOUND },
  // Registering B's number, or a number in B's WABA, from A's admin API: the documented 409, before Meta is asked.
  'POST /api/v1/numbers': {
    requests: [(w) => json(admin(w.rt.http().post('/api/v1/numbers')), { phone_number_id: w.b.phoneNumberId, waba_id: w.a.wabaId, access_token: TOKEN }),
      (w) => json(admin(w.rt.http().post('/api/v1/numbers')), { phone_number_id: '100000000099999', waba_id: w.b.wabaId, access_token: TOKEN })],
    refused: [409], codes: ['NUMBER_IN_OTHER_WORKSPACE'],
  },
  // Installing on B's number: the config names a number, so the API answers 422 (not a 404 on the URL).
  'POST /api/v1/installations': {
    requests: [(w) => json(admin(w.rt.http().post('/api/v1/installations')), {
      connector: 'zendesk', account_id: 'iso:push', config: { subdomain: 'iso', instancePushId: 'iso-push', phoneNumberId: w.b.phoneNumberId }, credentials: { pushToken: 'p', metadataKey: 'k'.repeat(32) },
    })],
    refused: [422], codes: ['NUMBER_NOT_FOUND'],
  },
  'POST /api/v1/templates/sync': { requests: [(w) => json(admin(w.rt.http().post('/api/v1/templates/sync')), { phone_number_id: w.b.phoneNumberId })], refused: NOT_FOUND, codes: ['NUMBER_NOT_FOUND'] },
  // Bot API: A's bot secret naming B's conversation, and B's secret, which this runtime does not serve.
  'POST /api/v1/bot/conversations/:id/messages': {
    requests: [(w) => bot(w, `/api/v1/bot/conversations/${w.b.conversationId}/messages`, w.a.botSecret, { type: 'text', body: 'hi' }),
      (w) => bot(w, `/api/v1/bot/conversations/${w.b.conversationId}/messages`, w.b.botSecret, { type: 'text', body: 'hi' })],
    refused: [401, 404],
  },
  'POST /api/v1/bot/conversations/:id/handoff': {
    requests: [(w) => bot(w, `/api/v1/bot/conversations/${w.b.conversationId}/handoff`, w.a.botSecret, { reason: 'x' }),
      (w) => bot(w, `/api/v1/bot/conversations/${w.b.conversationId}/handoff`, w.b.botSecret, { reason: 'x' })],
    refused: [401, 404],
  },
  // Triggers: A's secret calling the trigger only B defines, to B's customer; B's secret is not this runtime's.
  'POST /api/v1/triggers/:name': {
    requests: [(w) => trigger(w, B_TRIGGER, w.a.triggerSecret, { phone: '15559992000', orderId: '1' }), (w) => trigger(w, B_TRIGGER, w.b.triggerSecret, { phone: '15559992000', orderId: '1' })],
    refused: [401, 404],
  },
  // Media: a URL signed for A's message with B's message id put in: forged (the route documents 403).
  'GET /media/:messageId': {
    requests: [(w) => {
      const signed = new URL(new MediaUrlSigner(w.rt.config.encryptionKey, w.rt.config.publicUrl).urlFor(w.a.messageId));
      return w.rt.http().get(`${signed.pathname.replace(w.a.messageId, w.b.messageId)}${signed.search}`);
    }],
    refused: [403],
  },
  // Generic platform requests (the URL names the installation; its connector checks the signature). Zendesk, HubSpot
  // and Salesforce are called at their own endpoints, so the generic ones refuse them: before that, a signed body sent
  // here could hand Zendesk's CSAT handler a conversation id its ticket route would have resolved from its own links.
  'POST /connectors/:connector/installations/:installationId/replies': {
    requests: [(w) => genericReply(w, w.a.zendesk.installationId, w.b), (w) => genericReply(w, w.b.zendesk.installationId, w.b)],
    refused: [404], codes: ['NOT_FOUND'],
  },
  'POST /connectors/:connector/installations/:installationId/templates': {
    requests: [
      (w) => zendeskWebhook(w, `/connectors/zendesk/installations/${w.a.zendesk.installationId}/templates`, w.a.zendesk.csatSecret, { ticketId: w.b.ticketId, conversationId: w.b.conversationId }),
      (w) => zendeskWebhook(w, `/connectors/zendesk/installations/${w.a.zendesk.installationId}/templates`, w.a.zendesk.csatSecret, { ticketId: w.a.ticketId, conversationId: w.a.conversationId }),
      (w) => zendeskWebhook(w, `/connectors/zendesk/installations/${w.b.zendesk.installationId}/templates`, w.a.zendesk.csatSecret, { ticket_id: w.b.ticketId }),
    ],
    refused: [404], codes: ['NOT_FOUND'],
  },
  // Zendesk.
  'POST /connectors/zendesk/channelback': {
    requests: [(w) => w.rt.http().post('/connectors/zendesk/channelback').type('form').send(replyForm(w, w.b))],
    refused: [422], codes: ['NOT_FOUND'],
  },
  // A's installation naming B's ticket (not among A's links), and B's installation signed with A's secret.
  'POST /connectors/zendesk/webhooks/ticket-solved/:installationId': {
    requests: [(w) => zendeskWebhook(w, `/connectors/zendesk/webhooks/ticket-solved/${w.a.zendesk.installationId}`, w.a.zendesk.csatSecret, { ticket_id: w.b.ticketId }),
      (w) => zendeskWebhook(w, `/connectors/zendesk/webhooks/ticket-solved/${w.b.zendesk.installationId}`, w.a.zendesk.csatSecret, { ticket_id: w.b.ticketId })],
    refused: [401, 404], codes: ['NOT_A_WHATSAPP_TICKET', 'UNAUTHORIZED'],
  },
  // HubSpot: the app's signature is HubSpot's for every portal. A's portal naming B's contact (HubSpot: no such
  // contact in A's portal), and B's portal, which is not this workspace's.
  'POST /connectors/hubspot/card/thread': {
    requests: [(w) => card(w, 'thread', w.a, w.b, {}), (w) => card(w, 'thread', w.b, w.b, {})],
    refused: NOT_FOUND, codes: ['RECORD_NOT_FOUND', 'NOT_INSTALLED'],
  },
  'POST /connectors/hubspot/card/send': {
    requests: [(w) => card(w, 'send', w.a, w.b, { text: 'hi', idempotencyKey: `iso-${nonce()}` }), (w) => card(w, 'send', w.b, w.b, { text: 'hi', idempotencyKey: `iso-${nonce()}` })],
    refused: NOT_FOUND, codes: ['RECORD_NOT_FOUND', 'NOT_INSTALLED'],
  },
  'POST /connectors/hubspot/card/template': {
    requests: [(w) => card(w, 'template', w.a, w.b, { name: 'csat', language: 'en', idempotencyKey: `iso-${nonce()}` }),
      (w) => card(w, 'template', w.b, w.b, { name: 'csat', language: 'en', idempotencyKey: `iso-${nonce()}` })],
    refused: NOT_FOUND, codes: ['RECORD_NOT_FOUND', 'NOT_INSTALLED'],
  },
  // A workflow action answers a record it cannot use with 200 FAIL_CONTINUE (HubSpot shows the error in the workflow).
  'POST /connectors/hubspot/workflow/send': {
    requests: [(w) => workflow(w, w.a, w.b), (w) => workflow(w, w.b, w.b)],
    refused: [200, 404], codes: ['RECORD_NOT_FOUND', 'NOT_INSTALLED'],
  },
  // A's portal says B's contact was deleted: only A's links are looked at, so B keeps its contact.
  'POST /connectors/hubspot/webhooks': {
    requests: [(w) => hubspot(w, '/connectors/hubspot/webhooks', [{
      eventId: 1, subscriptionId: 1, portalId: w.a.hubspot.portalId, appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.deletion', attemptNumber: 0,
      objectId: Number(w.b.hubspot.contactId), changeSource: 'CRM',
    }])],
    refused: [200],
  },
  // Salesforce: A's org, signed with its key, naming B's record (the LWC's thread answers an empty thread with 200);
  // B's org is not this workspace's.
  'POST /connectors/salesforce/api/v1/thread': {
    requests: [(w) => callout(w, 'thread', w.a, { recordId: w.b.recordId }), (w) => callout(w, 'thread', w.b, { recordId: w.b.recordId })],
    refused: [200, 401],
  },
  'POST /connectors/salesforce/api/v1/messages': {
    requests: [(w) => callout(w, 'messages', w.a, { recordId: w.b.recordId, text: 'hi' }), (w) => callout(w, 'messages', w.b, { recordId: w.b.recordId, text: 'hi' })],
    refused: [401, 404], codes: ['NO_CONVERSATION', 'UNAUTHORIZED'],
  },
  'POST /connectors/salesforce/api/v1/templates/send': {
    requests: [(w) => callout(w, 'templates/send', w.a, { recordId: w.b.recordId, template: 'csat', language: 'en' })],
    refused: NOT_FOUND, codes: ['NO_CONVERSATION'],
  },
  // No conversation of A for B's record, so the Flow asks A's org for the record's phone: Salesforce has no such record there.
  'POST /connectors/salesforce/api/v1/flow/send-template': {
    requests: [(w) => callout(w, 'flow/send-template', w.a, { recordId: w.b.recordId, template: 'csat', language: 'en', requestId: `iso-${nonce()}` })],
    refused: NOT_FOUND, codes: ['RECORD_NOT_FOUND', 'NO_CONVERSATION'],
  },
  // Last: A's signed "destroy" may remove A's own Zendesk installation, which the Zendesk cases above sign with.
  'POST /connectors/zendesk/events': {
    requests: [(w) => json(w.rt.http().post('/connectors/zendesk/events'), { events: [
      // A's signed metadata, about B's account.
      { type_id: 'destroy_integration_instance', subdomain: w.b.zendesk.subdomain, data: { metadata: signInstallationMetadata(w.a.zendesk.installationId, w.a.zendesk.metadataKey) } },
      // A request id signed with A's key, naming B's push (outbox row).
      { type_id: 'resources_created_from_external_ids', subdomain: w.a.zendesk.subdomain, data: { request_id: signRequestId(w.a.zendesk.installationId, w.b.syncDeadId, 1, w.a.zendesk.metadataKey), resource_events: [{ type_id: 'comment_on_new_ticket', external_id: `threadline:message:${w.b.messageId}`, ticket_id: 1 }] } },
    ] })],
    refused: [200],
  },
};

/** Served routes that name no tenant's ids, each with why; they still run below where they act on a workspace. */
const NO_TENANT_IDS: Record<string, string> = {
  'GET /healthz': 'no tenant data', 'GET /readyz': 'no tenant data', 'GET /metrics': 'aggregate counters, no tenant ids',
  'GET /webhooks/whatsapp': "Meta's subscription check", 'GET /api/v1/openapi.json': 'the API description',
  'GET /connectors/zendesk/manifest.json': 'the integration manifest', 'GET /connectors/zendesk/about': 'static text',
  'GET /connectors/zendesk/sidebar/assets/:file': 'static files',
  'POST /connectors/zendesk/admin': 'install flow: the workspace comes from the connect code typed (test/zendesk/install-flow.test.ts)',
  'POST /connectors/zendesk/admin/connect': 'install flow (connect code)', 'POST /connectors/zendesk/admin/install': 'install flow (connect code)',
  'GET /connectors/zendesk/oauth/callback': 'OAuth callback: state bound to the flow', 'GET /connectors/hubspot/install': 'install page', 'POST /connectors/hubspot/install': 'install flow (connect code)',
  'GET /connectors/hubspot/oauth/callback': 'OAuth callback: state bound to the flow', 'GET /connectors/salesforce/install': 'install page', 'POST /connectors/salesforce/install': 'install flow (connect code)',
  'GET /connectors/salesforce/oauth/callback': 'OAuth callback: state bound to the flow',
  // The sidebar's session comes from a ZAF JWT signed by the Zendesk app key; two accounts with colliding ticket ids are
  // proved apart in test/zendesk/sidebar-api.test.ts (it needs the Zendesk fake's key server).
  'POST /connectors/zendesk/sidebar': 'ZAF JWT page load: test/zendesk/sidebar-api.test.ts',
  'GET /connectors/zendesk/sidebar/api/tickets/:ticketId': 'test/zendesk/sidebar-api.test.ts (accounts apart)',
  'GET /connectors/zendesk/sidebar/api/tickets/:ticketId/templates': 'test/zendesk/sidebar-api.test.ts (accounts apart)',
  'POST /connectors/zendesk/sidebar/api/tickets/:ticketId/template': 'test/zendesk/sidebar-api.test.ts (accounts apart)',
};

/** Routes that act on the runtime's workspace without ids: they must show none of B and change nothing of B. */
const OWN_WORKSPACE: Record<string, Send> = {
  'GET /api/v1/numbers': (w) => admin(w.rt.http().get('/api/v1/numbers')),
  'GET /api/v1/conversations': (w) => admin(w.rt.http().get('/api/v1/conversations')),
  'GET /api/v1/dead-letters': (w) => admin(w.rt.http().get('/api/v1/dead-letters')),
  'GET /api/v1/templates': (w) => admin(w.rt.http().get('/api/v1/templates')),
  'POST /api/v1/templates/sync': (w) => json(admin(w.rt.http().post('/api/v1/templates/sync')), {}),
  'GET /api/v1/sync/dead-letters': (w) => admin(w.rt.http().get('/api/v1/sync/dead-letters')),
  'GET /api/v1/installations': (w) => admin(w.rt.http().get('/api/v1/installations')),
  'GET /api/v1/automation/rules': (w) => admin(w.rt.http().get('/api/v1/automation/rules')),
  'GET /api/v1/automation/rules/:kind/versions': (w) => admin(w.rt.http().get('/api/v1/automation/rules/closing/versions')),
  'PUT /api/v1/automation/rules/:kind': (w) => json(admin(w.rt.http().put('/api/v1/automation/rules/closing')), { definition: JSON.parse(ruleExample('closing') ?? '{}') as object }),
  'DELETE /api/v1/automation/rules/:kind': (w) => admin(w.rt.http().delete('/api/v1/automation/rules/closing')),
  'GET /api/v1/analytics/csat': (w) => admin(w.rt.http().get('/api/v1/analytics/csat')),
  'GET /api/v1/privacy/retention': (w) => admin(w.rt.http().get('/api/v1/privacy/retention')),
  'PUT /api/v1/privacy/retention': (w) => json(admin(w.rt.http().put('/api/v1/privacy/retention')), { message_days: 365, media_days: 90 }),
  'GET /api/v1/analytics/report': (w) => admin(w.rt.http().get('/api/v1/analytics/report')),
  'POST /api/v1/automation/bot/secret': (w) => json(admin(w.rt.http().post('/api/v1/automation/bot/secret')), {}),
  'GET /api/v1/automation/bot/dead-letters': (w) => admin(w.rt.http().get('/api/v1/automation/bot/dead-letters')),
  'POST /api/v1/automation/trigger-secret': (w) => json(admin(w.rt.http().post('/api/v1/automation/trigger-secret')), {}),
  'GET /api/v1/hubspot/installations': (w) => admin(w.rt.http().get('/api/v1/hubspot/installations')),
  'GET /api/v1/salesforce/installations': (w) => admin(w.rt.http().get('/api/v1/salesforce/installations')),
  'POST /api/v1/zendesk/connect-codes': (w) => json(admin(w.rt.http().post('/api/v1/zendesk/connect-codes')), {}),
  'POST /api/v1/hubspot/connect-codes': (w) => json(admin(w.rt.http().post('/api/v1/hubspot/connect-codes')), {}),
  'POST /api/v1/salesforce/connect-codes': (w) => json(admin(w.rt.http().post('/api/v1/salesforce/connect-codes')), {}),
  // An agent's click on a comment's source link: to the console, which answers A's session 404 for B's conversation.
  'GET /connectors/zendesk/clickthrough': (w) => w.rt.http().get(`/connectors/zendesk/clickthrough?external_id=threadline:message:${w.b.messageId}`),
};

const key = (r: ServedRoute) => `${r.method.toUpperCase()} ${r.path}`;
const leaks = (res: request.Response) => /bravo/i.test(res.text);
/** The refusal code wherever the route's shape puts it: `{ error: { code } }`, `{ code }`, or a workflow action's output. */
function codeOf(res: request.Response): string | undefined {
  const body = res.body as { error?: { code?: string }; code?: string; outputFields?: { error_code?: string } } | undefined;
  return body?.error?.code ?? body?.code ?? body?.outputFields?.error_code;
}

describe('tenant isolation: API and connector callbacks', () => {
  let w: IsolationWorld;
  let routes: string[];

  beforeAll(async () => {
    w = await startIsolationWorld();
    routes = (await servedRoutes(w.rt)).filter((r) => !r.path.startsWith('/admin')).map(key);
  });
  afterAll(async () => w?.close());

  it('has a case (or a reason) for every route the server serves outside the console', () => {
    const known = new Set([...Object.keys(CASES), ...Object.keys(NO_TENANT_IDS), ...Object.keys(OWN_WORKSPACE)]);
    expect(routes.filter((r) => !known.has(r)).map((r) => `${r}: add a case to CASES (ids) or OWN_WORKSPACE in ${THIS_FILE}`)).toEqual([]);
    // A case for a route no longer served proves nothing: remove it.
    expect([...known].filter((r) => !routes.includes(r)).map((r) => `${r} is not served: remove it from ${THIS_FILE}`)).toEqual([]);
  });

  it.each(Object.keys(CASES))('%s: naming B\'s ids answers not-found and changes nothing in B', async (route) => {
    const c = CASES[route];
    if (!c) throw new Error(route);
    const before = await tenantFingerprint(w.rt.db, w.b.workspaceId);
    for (const [i, send] of c.requests.entries()) {
      const res = await send(w);
      const refused = c.refused.includes(res.status) && (c.codes === undefined || c.codes.includes(codeOf(res) ?? ''));
      // The whole answer in the failure message: what answered instead of the tenant check.
      expect({ route, request: i, status: res.status, refused, body: res.body as unknown }).toEqual({ route, request: i, status: res.status, refused: true, body: res.body as unknown });
      expect({ route, leaks: leaks(res) }).toEqual({ route, leaks: false });
    }
    expect(await tenantFingerprint(w.rt.db, w.b.workspaceId)).toEqual(before);
  });

  it.each(Object.keys(OWN_WORKSPACE))('%s: acts on A only, shows nothing of B', async (route) => {
    const send = OWN_WORKSPACE[route];
    if (!send) throw new Error(route);
    const before = await tenantFingerprint(w.rt.db, w.b.workspaceId);
    const res = await send(w);
    // A platform out of reach (502/503) is not a failure here; a crash is.
    expect({ route, status: res.status }).not.toEqual({ route, status: 500 });
    expect({ route, leaks: leaks(res) }).toEqual({ route, leaks: false });
    expect(await tenantFingerprint(w.rt.db, w.b.workspaceId)).toEqual(before);
  });
});
