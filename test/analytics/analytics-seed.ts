import crypto from 'node:crypto';
import type { Db } from '../../core/db/connect';

/**
 * A week of a workspace's traffic, 10–16 November 2026 (UTC), with something on each side of every boundary; the
 * figures the tests expect are worked out by hand next to each assertion. Another workspace gets the same kind of
 * traffic in the same week: none of it may show.
 */
export const SEEDED_RANGE = { from: '2026-11-10', to: '2026-11-16' } as const;
export const SEEDED_FILTER = { from: new Date('2026-11-10T00:00:00Z'), to: new Date('2026-11-17T00:00:00Z') };

export interface SeededWorkspace {
  workspaceId: string;
  n1: string;
  n2: string;
  otherWorkspaceId: string;
  otherNumber: string;
}

type Sender = { platform: string; id: string; name: string } | null;

const zendesk: Sender = { platform: 'zendesk', id: 'acme:7', name: 'Zendesk agent' };
const hubspot: Sender = { platform: 'hubspot', id: '42:user:9', name: 'Bo' };
const salesforce: Sender = { platform: 'salesforce', id: 'org:user:3', name: 'Sam' };
const routingMenu: Sender = { platform: 'threadline', id: 'automation:routing', name: 'Routing menu' };
const faq: Sender = { platform: 'threadline', id: 'automation:faq', name: 'FAQ answer' };
const workflow: Sender = { platform: 'hubspot', id: '42:workflow', name: 'HubSpot workflow' };
const csatSender: Sender = { platform: 'zendesk', id: 'acme:trigger:csat', name: 'Zendesk CSAT trigger' };

const at = (iso: string) => new Date(`${iso}Z`);

class Seeder {
  constructor(private readonly db: Db, readonly workspaceId: string) {}

  async number(display: string): Promise<string> {
    const [row] = await this.db('whatsapp_number').insert({
      workspace_id: this.workspaceId, phone_number_id: `1${crypto.randomInt(1e12, 9e12)}`, waba_id: '100000000000001', display_phone_number: display, access_token_sealed: 'sealed-elsewhere',
    }).returning('id');
    return (row as { id: string }).id;
  }

  async contact(waId: string): Promise<string> {
    const [row] = await this.db('contact').insert({ workspace_id: this.workspaceId, wa_id: waId }).returning('id');
    return (row as { id: string }).id;
  }

  async conversation(contactId: string, numberId: string, options: { opened: string; closed?: string; team?: string }): Promise<string> {
    const [row] = await this.db('conversation').insert({
      workspace_id: this.workspaceId, contact_id: contactId, whatsapp_number_id: numberId, status: options.closed ? 'closed' : 'open',
      opened_at: at(options.opened), closed_at: options.closed ? at(options.closed) : null, last_message_at: at(options.opened),
    }).returning('id');
    const id = (row as { id: string }).id;
    if (options.team) await this.db('conversation_routing').insert({ conversation_id: id, workspace_id: this.workspaceId, state: 'routed', team: options.team, routed_by: 'menu' });
    return id;
  }

  /** A message; `wamid: null` is an outbound message Meta refused at once. */
  async message(conversationId: string, m: { dir: 'inbound' | 'outbound'; at: string; status: string; by?: Sender; wamid?: string | null; error?: [number, string]; type?: string }): Promise<{ id: string; wamid: string | null }> {
    const wamid = m.wamid === undefined ? `wamid.${crypto.randomBytes(8).toString('hex')}` : m.wamid;
    const [row] = await this.db('message').insert({
      workspace_id: this.workspaceId, conversation_id: conversationId, wamid, direction: m.dir, type: m.type ?? 'text', body: JSON.stringify({ text: 'x' }), text: 'x',
      status: m.status, sent_at: at(m.at), sent_by: m.by ? JSON.stringify(m.by) : null, error_code: m.error?.[0] ?? null, error_title: m.error?.[1] ?? null,
    }).returning('id');
    await this.db('conversation').where({ id: conversationId }).update({ last_message_at: this.db.raw('greatest(last_message_at, ?)', [at(m.at)]) });
    return { id: (row as { id: string }).id, wamid };
  }

  /** A status webhook as stored by the engine; `pricing` as Meta sends it (whatsapp.md §3). */
  async status(wamid: string | null, status: string, occurred: string, recipient: string, pricing?: { type: string; category: string }): Promise<void> {
    await this.db('message_status').insert({
      workspace_id: this.workspaceId, wamid, status, occurred_at: at(occurred), recipient_id: recipient, applied: true,
      pricing: pricing ? JSON.stringify({ billable: pricing.type === 'regular', pricing_model: 'PMP', ...pricing }) : null,
    });
  }

  async action(conversationId: string, action: string, created: string, periodKey = created): Promise<void> {
    await this.db('automation_action').insert({ workspace_id: this.workspaceId, conversation_id: conversationId, action, period_key: periodKey, created_at: at(created) });
  }
}

const free = { type: 'free_customer_service', category: 'service' };

/** Seeds `workspaceId` (a new workspace when not given) and a new other workspace. */
export async function seedAnalytics(db: Db, workspaceId?: string): Promise<SeededWorkspace> {
  const newWorkspace = async (name: string) => ((await db('workspace').insert({ name, slug: `${name}-${crypto.randomUUID()}` }).returning('id')) as Array<{ id: string }>)[0]!.id;
  const ws = { id: workspaceId ?? await newWorkspace('acme') };
  const other = { id: await newWorkspace('other') };
  const s = new Seeder(db, ws.id);
  const n1 = await s.number('+1 555 000 1000');
  const n2 = await s.number('+1 555 000 2000');
  const a = await s.contact('447700900001');
  const b = await s.contact('14155550002');
  const c = await s.contact('919800000003');
  const d = await s.contact('447700900004');

  // conv1: billing, answered on Zendesk after 120 s (the routing menu before it is automation), closed after 3600 s.
  const conv1 = await s.conversation(a, n1, { opened: '2026-11-10T09:00:00', closed: '2026-11-10T10:00:00', team: 'billing' });
  await s.message(conv1, { dir: 'inbound', at: '2026-11-10T09:00:00', status: 'received' });
  const menu = await s.message(conv1, { dir: 'outbound', at: '2026-11-10T09:00:05', status: 'read', by: routingMenu });
  await s.message(conv1, { dir: 'inbound', at: '2026-11-10T09:01:00', status: 'received' });
  const reply1 = await s.message(conv1, { dir: 'outbound', at: '2026-11-10T09:02:00', status: 'read', by: zendesk });
  await s.message(conv1, { dir: 'outbound', at: '2026-11-10T09:05:00', status: 'failed', by: zendesk, wamid: null, error: [131009, 'Parameter value is not valid'] });
  await s.status(menu.wamid, 'sent', '2026-11-10T09:00:06', '447700900001', free);
  await s.status(reply1.wamid, 'sent', '2026-11-10T09:02:01', '447700900001', free);
  await s.status(reply1.wamid, 'delivered', '2026-11-10T09:02:02', '447700900001', free);
  await s.status(reply1.wamid, 'read', '2026-11-10T09:03:00', '447700900001');
  await s.action(conv1, 'faq_answer', '2026-11-10T09:00:30');

  // conv2: support, asked in the last second of 11 November, answered on HubSpot 600 s later; closed 86401 s after.
  const conv2 = await s.conversation(b, n1, { opened: '2026-11-11T23:59:59', closed: '2026-11-13T00:00:00', team: 'support' });
  await s.message(conv2, { dir: 'inbound', at: '2026-11-11T23:59:59', status: 'received' });
  const reply2 = await s.message(conv2, { dir: 'outbound', at: '2026-11-12T00:09:59', status: 'delivered', by: hubspot });
  await s.message(conv2, { dir: 'outbound', at: '2026-11-12T00:20:00', status: 'failed', by: hubspot, error: [131047, 'Re-engagement message'] });
  await s.status(reply2.wamid, 'delivered', '2026-11-12T00:10:00', '14155550002', free);

  // conv3: billing, an FAQ answer (automation), an escalation, a second answer, a Salesforce reply after 1800 s that
  // failed, and a marketing template read by the customer in India. No close.
  const conv3 = await s.conversation(c, n2, { opened: '2026-11-12T14:00:00', team: 'billing' });
  await s.message(conv3, { dir: 'inbound', at: '2026-11-12T14:00:00', status: 'received' });
  await s.message(conv3, { dir: 'outbound', at: '2026-11-12T14:00:02', status: 'sent', by: faq });
  await s.action(conv3, 'faq_answer', '2026-11-12T14:00:02');
  await s.action(conv3, 'faq_escalated', '2026-11-12T14:01:00');
  await s.action(conv3, 'faq_answer', '2026-11-12T14:05:00');
  await s.message(conv3, { dir: 'outbound', at: '2026-11-12T14:30:00', status: 'failed', by: salesforce, error: [131047, 'Re-engagement message'] });
  const template = await s.message(conv3, { dir: 'outbound', at: '2026-11-12T15:00:00', status: 'read', by: hubspot, type: 'template' });
  await s.status(template.wamid, 'sent', '2026-11-12T15:00:01', '919800000003', { type: 'regular', category: 'marketing' });
  await s.status(template.wamid, 'delivered', '2026-11-12T15:00:02', '919800000003', { type: 'regular', category: 'marketing' });
  await s.status(template.wamid, 'read', '2026-11-12T15:10:00', '919800000003');
  await s.action(conv3, 'sla_breached', '2026-11-12T15:00:00');

  // conv4: not routed, asked late on the last day; only a HubSpot workflow wrote back (utility, UK): unanswered.
  const conv4 = await s.conversation(d, n2, { opened: '2026-11-16T23:30:00' });
  await s.message(conv4, { dir: 'inbound', at: '2026-11-16T23:30:00', status: 'received' });
  const wf = await s.message(conv4, { dir: 'outbound', at: '2026-11-16T23:31:00', status: 'delivered', by: workflow, type: 'template' });
  await s.status(wf.wamid, 'sent', '2026-11-16T23:31:01', '447700900004', { type: 'regular', category: 'utility' });
  await s.status(wf.wamid, 'delivered', '2026-11-17T00:00:05', '447700900004', { type: 'regular', category: 'utility' });
  await s.action(conv4, 'sla_breached', '2026-11-16T23:50:00');
  await s.action(conv4, 'sla_breached', '2026-11-17T00:00:00');

  // conv5: support, asked one second before the range, answered and closed inside it (resolution 3601 s).
  const conv5 = await s.conversation(a, n1, { opened: '2026-11-09T23:59:59', closed: '2026-11-10T01:00:00', team: 'support' });
  await s.message(conv5, { dir: 'inbound', at: '2026-11-09T23:59:59', status: 'received' });
  const reply5 = await s.message(conv5, { dir: 'outbound', at: '2026-11-10T00:05:00', status: 'delivered', by: zendesk });
  await s.status(reply5.wamid, 'sent', '2026-11-10T00:05:01', '447700900001', free);
  await s.action(conv5, 'sla_breached', '2026-11-09T12:00:00');

  // conv6: the first second after the range.
  const conv6 = await s.conversation(b, n2, { opened: '2026-11-17T00:00:00' });
  await s.message(conv6, { dir: 'inbound', at: '2026-11-17T00:00:00', status: 'received' });

  // conv7: CSAT surveys sent on 1 November, answered 4 and 5 inside the range and 1 after it.
  const conv7 = await s.conversation(c, n1, { opened: '2026-11-01T10:00:00' });
  for (const [score, answered] of [[4, '2026-11-14T12:00:00'], [5, '2026-11-15T12:00:00'], [1, '2026-11-20T12:00:00']] as const) {
    const survey = await s.message(conv7, { dir: 'outbound', at: '2026-11-01T10:00:00', status: 'read', by: csatSender, type: 'template' });
    const answer = await s.message(conv7, { dir: 'inbound', at: '2026-11-01T10:01:00', status: 'received' });
    await db('csat_response').insert({ workspace_id: ws.id, conversation_id: conv7, csat_message_id: survey.id, message_id: answer.id, score, source: 'button', answered_at: at(answered) });
  }

  // Statuses of messages Threadline never stored: one first priced before the range (never counted), one
  // authentication message to a US number inside it (counted, number unknown).
  await s.status('wamid.UNKNOWN_EARLY', 'sent', '2026-11-09T23:59:50', '447700900001', { type: 'regular', category: 'marketing' });
  await s.status('wamid.UNKNOWN_EARLY', 'delivered', '2026-11-10T00:00:10', '447700900001', { type: 'regular', category: 'marketing' });
  await s.status('wamid.ORPHAN', 'sent', '2026-11-13T08:00:00', '15550009999', { type: 'regular', category: 'authentication' });

  // The other workspace: a busy day in the same week.
  const o = new Seeder(db, other.id);
  const otherNumber = await o.number('+1 555 000 9000');
  const oc = await o.conversation(await o.contact('447700900001'), otherNumber, { opened: '2026-11-12T10:00:00', closed: '2026-11-12T11:00:00', team: 'billing' });
  await o.message(oc, { dir: 'inbound', at: '2026-11-12T10:00:00', status: 'received' });
  const or = await o.message(oc, { dir: 'outbound', at: '2026-11-12T10:01:00', status: 'failed', by: zendesk, error: [131047, 'Re-engagement message'] });
  await o.status(or.wamid, 'sent', '2026-11-12T10:01:01', '447700900001', { type: 'regular', category: 'marketing' });
  await o.action(oc, 'sla_breached', '2026-11-12T10:30:00');
  await o.action(oc, 'faq_answer', '2026-11-12T10:00:01');
  await db('rate_card').insert({ workspace_id: other.id, currency: 'USD', updated_by: 'other' });
  await db('rate_card_price').insert({ workspace_id: other.id, market: 'default', category: 'marketing', price: '9' });

  return { workspaceId: ws.id, n1, n2, otherWorkspaceId: other.id, otherNumber };
}

/** The rate card the tests enter: EUR, defaults for every category, cheaper marketing in India, dearer utility in the UK. */
export const SEEDED_RATE_CARD = {
  currency: 'EUR',
  rows: [
    { market: 'default', prices: { marketing: '0.05', utility: '0.01', authentication: '0.03', service: '0' } },
    { market: '91', prices: { marketing: '0.0107' } },
    { market: '44', prices: { utility: '0.022' } },
  ],
};
