import type { BatchError, BatchOutcome, DeliverContext, DeliveryLimits, EventResult, ExternalLinkWrite, SyncEvent } from '../../../core/connectors/contract';
import { appProperties, ensureAppProperties } from '../client/app-properties';
import { createCommunications, findCommunicationsBy, updateObjects, type CommunicationInput, type Properties } from '../client/crm';
import type { CallOptions, HubSpotInstallation } from '../client/hubspot-call';
import { handoffOf } from '../../../core/sync/handoff-event';
import type { HubSpotResult } from '../hubspot-result';
import type { HubSpotConfig } from '../hubspot-settings';
import { completeWorkflowCallbacks } from '../workflow/complete-callbacks';
import { CONVERSATION_CONTACT_LINK_TYPE } from '../contact-link';
import { createTaskOnce, ownerTaskLinkType, ownerTaskOf, readTaskContacts, renderHandoffNote, renderRoutedNote, routedOf, settleOwnersAndTasks, type OwnerChange, type OwnerTask } from './automation-events';
import { ContactIndex } from './batch-contacts';
import { batchError } from './batch-error';
import { timelineLinkTypes } from './link-types';
import { forgetOpenDeals, openDealsCached } from './open-deals';
import { failureReason, renderFailureNote, renderMessageBody } from './render-body';

/**
 * What the sync engine may ask of one portal (reference §7.5): batches of 100 (the batch endpoints' cap), and
 * 15 deliveries per 10 s. A delivery is 2 to 4 requests once contacts are known (idempotency read, create,
 * status and contact updates), so sync stays near 60 of the portal's 110 per 10 s and leaves the rest to card
 * and workflow requests; the client's per-portal limiter enforces the real budget for all of them.
 */
export function hubspotLimits(_config: HubSpotConfig): DeliveryLimits {
  return { batchSize: 100, requests: 15, windowMs: 10_000 };
}

interface LogEntry {
  index: number;
  key: string;
  contactId: string;
  properties: Properties;
  /** The event's own message link, when this entry logs the message (not a failure note). */
  messageId: string | null;
}

interface Plan {
  logs: LogEntry[];
  statusUpdates: Array<{ index: number; messageId: string; properties: Properties }>;
  contactUpdates: Array<{ index: number; contactId: string; properties: Properties }>;
  /** Extra links per event, saved when it is delivered. */
  links: Map<number, ExternalLinkWrite[]>;
  /** Routings to a team with a HubSpot owner, and tasks for the owner (missed targets, unanswered triggers): settled once their contacts are read. */
  owners: OwnerChange[];
  ownerTasks: OwnerTask[];
}

/**
 * Delivers one batch (≤ 100 events) to a portal's timeline (issue 5 items 3, 5, 6): every message both ways a
 * Communications record with channel WhatsApp (§7.2), associated with the customer's contact (81) and open deals
 * (85); statuses and failures update the same record; a failure of a message sent from HubSpot also writes
 * back to the contact (a property and a note); consent changes set a contact property; routing and missed response
 * targets (issue 7) set the contact's owner, log the team and make a task, a bot's handoff logs a note (`automation-events.ts`).
 *
 * Idempotent on the message: HubSpot has no idempotency key, so each communication carries the Threadline
 * message id in a unique-value property and the batch first reads by it (a read, no search lag) before
 * creating the rest; a batch retried after HubSpot created it, whatever failed on the way back, finds them.
 * Order per conversation: a customer whose contact cannot be had holds the rest of their conversation.
 */
export async function deliverToHubSpot(installation: HubSpotInstallation, events: readonly SyncEvent[], ctx: DeliverContext, options?: CallOptions): Promise<BatchOutcome> {
  const properties = await ensureAppProperties(installation, options);
  if (!properties.ok) return { ok: false, error: batchError(properties.error) };

  const results: Array<EventResult | undefined> = events.map(() => undefined);
  const held = new Map<string, string>();
  const planner: Planner = { installation, ctx, options, contacts: new ContactIndex(events), ownSends: new Map(), plan: { logs: [], statusUpdates: [], contactUpdates: [], links: new Map(), owners: [], ownerTasks: [] } };
  for (const [index, event] of events.entries()) {
    const waiting = held.get(event.conversationId);
    const planned = waiting === undefined ? await planEvent(planner, event, index) : { status: 'retry' as const, error: waiting };
    if (planned === undefined) continue;
    if ('code' in planned) return { ok: false, error: planned };
    results[index] = planned;
    if (planned.status === 'retry' || planned.status === 'rejected') held.set(event.conversationId, planned.status === 'retry' ? planned.error : `an earlier message was rejected: ${planned.error}`);
  }
  const { plan } = planner;

  const written = await write(installation, events, plan, ctx, options);
  if (!written.ok) return { ok: false, error: written.error };
  for (const [index, event] of events.entries()) {
    if (results[index] !== undefined) continue;
    const gone = written.missing.get(index);
    if (gone !== undefined) {
      results[index] = { status: 'skipped', reason: gone };
      continue;
    }
    const refused = written.refused.get(index);
    if (refused !== undefined) {
      results[index] = { status: 'rejected', error: refused };
      continue;
    }
    const links = [...(plan.links.get(index) ?? [])];
    const communication = event.messageId === null ? undefined : written.communications.get(event.messageId);
    if (communication !== undefined && (event.type === 'message.inbound' || event.type === 'message.outbound')) {
      links.push({ entityType: 'message', entityId: event.messageId ?? '', externalType: timelineLinkTypes.communication, externalId: communication });
    }
    results[index] = { status: 'delivered', links };
  }
  await completeWorkflows(installation, events, results);
  return { ok: true, results: inOrder(events, results) };
}

/**
 * Workflow executions waiting for their message's fate (§6.4 BLOCK) are completed with the status events that
 * settle it (HS4's `completeWorkflowCallbacks`); the completion's link rides on the event, a failed one retries it.
 */
async function completeWorkflows(installation: HubSpotInstallation, events: readonly SyncEvent[], results: Array<EventResult | undefined>): Promise<void> {
  const completions = await completeWorkflowCallbacks(installation, events);
  for (const [index, event] of events.entries()) {
    const completion = completions.get(event.outboxId);
    const result = results[index];
    if (completion === undefined || result?.status !== 'delivered') continue;
    results[index] = completion.ok
      ? { status: 'delivered', links: [...(result.links ?? []), ...completion.links] }
      : { status: 'retry', error: `HubSpot workflow callback: ${completion.error.code}: ${completion.error.message}` };
  }
}

/**
 * Once an event of a conversation is not delivered, its later ones wait too (the contract's order). What was
 * written for them is keyed (message id, record id), so writing it again when they come back changes nothing.
 */
function inOrder(events: readonly SyncEvent[], results: ReadonlyArray<EventResult | undefined>): EventResult[] {
  const stopped = new Map<string, string>();
  return events.map((event, index) => {
    const waiting = stopped.get(event.conversationId);
    if (waiting !== undefined) return { status: 'retry', error: waiting };
    const result = results[index] ?? { status: 'retry', error: 'not handled' };
    if (result.status === 'retry' || result.status === 'rejected') stopped.set(event.conversationId, `an earlier event of the conversation is waiting: ${result.error}`);
    return result;
  });
}

interface Planner {
  installation: HubSpotInstallation;
  ctx: DeliverContext;
  options: CallOptions | undefined;
  contacts: ContactIndex;
  /** message id → the Threadline contact it was sent to from this portal, for sends in this very batch. */
  ownSends: Map<string, string>;
  plan: Plan;
}

/**
 * What one event needs written, added to the plan: undefined when planned; its result when it needs nothing
 * (skipped) or cannot go now (retry, rejected); a BatchError when the whole batch must wait (429, outage).
 */
async function planEvent(planner: Planner, event: SyncEvent, index: number): Promise<EventResult | BatchError | undefined> {
  const { plan } = planner;
  switch (event.type) {
    case 'message.inbound':
    case 'message.outbound': {
      const contact = await planner.contacts.resolve(planner.installation, event, planner.ctx, planner.options);
      if (!contact.ok) return contact.batch ?? contact.result;
      if (event.messageId === null) return { status: 'skipped', reason: 'names no message' };
      const links: ExternalLinkWrite[] = [];
      if (event.links.conversation[CONVERSATION_CONTACT_LINK_TYPE] !== contact.id) {
        links.push({ entityType: 'conversation', entityId: event.conversationId, externalType: CONVERSATION_CONTACT_LINK_TYPE, externalId: contact.id });
      }
      if (event.type === 'message.outbound' && event.origin.own) {
        links.push({ entityType: 'message', entityId: event.messageId, externalType: timelineLinkTypes.sentFromHubSpot, externalId: contact.contactId });
        planner.ownSends.set(event.messageId, contact.contactId);
      }
      plan.links.set(index, links);
      // Already linked: a replay, on the timeline since.
      if (event.links.message[timelineLinkTypes.communication] === undefined) {
        plan.logs.push({ index, key: event.messageId, contactId: contact.id, messageId: event.messageId, properties: communicationProperties(event) });
      }
      return undefined;
    }
    case 'message.status':
    case 'message.failed': {
      if (event.messageId === null) return { status: 'skipped', reason: 'names no message' };
      const status: Properties = { [appProperties.status]: statusOf(event) };
      if (event.type === 'message.failed') status[appProperties.error] = failureReason(event);
      plan.statusUpdates.push({ index, messageId: event.messageId, properties: status });
      const sentTo = event.type === 'message.failed' ? await planner.contacts.ofSend(event, planner.ownSends, planner.ctx) : undefined;
      if (sentTo !== undefined) {
        const at = isoOr(event.data.at, event.occurredAt);
        plan.logs.push({ index, key: `failed:${event.messageId}`, contactId: sentTo, messageId: null, properties: { ...whatsApp(at), hs_communication_body: renderFailureNote(event) } });
        plan.contactUpdates.push({ index, contactId: sentTo, properties: { [appProperties.lastFailure]: `${at}: ${failureReason(event)}` } });
      }
      return undefined;
    }
    case 'consent.changed': {
      const contactId = planner.contacts.known(event);
      const status = event.data.status;
      if (contactId === undefined) return { status: 'skipped', reason: 'the customer has no HubSpot contact yet' };
      if (status !== 'opted_in' && status !== 'opted_out' && status !== 'unknown') return { status: 'skipped', reason: 'no consent status' };
      plan.contactUpdates.push({ index, contactId, properties: { [appProperties.consent]: status } });
      return undefined;
    }
    case 'conversation.routed': {
      const routed = routedOf(event);
      if (routed === undefined) return { status: 'rejected', error: 'the routed event names no team' };
      const contactId = planner.contacts.ofConversation(event);
      if (contactId === undefined) return noContactYet;
      plan.logs.push({ index, key: `routed:${event.externalId}`, contactId, messageId: null, properties: { ...whatsApp(event.occurredAt.toISOString()), hs_communication_body: renderRoutedNote(routed) } });
      const ownerId = routed.team.hubspot?.ownerId;
      if (ownerId !== undefined) plan.owners.push({ index, contactId, ownerId });
      return undefined;
    }
    case 'conversation.handoff': {
      const handoff = handoffOf(event);
      if (handoff === undefined) return { status: 'rejected', error: 'the handoff event has no reason' };
      if (handoff.to === 'bot') return { status: 'skipped', reason: 'handed back to the bot: its replies are on the timeline' };
      const contactId = planner.contacts.ofConversation(event);
      if (contactId === undefined) return noContactYet;
      plan.logs.push({ index, key: `handoff:${event.externalId}`, contactId, messageId: null, properties: { ...whatsApp(event.occurredAt.toISOString()), hs_communication_body: renderHandoffNote(handoff) } });
      return undefined;
    }
    case 'conversation.sla_breached':
    case 'conversation.follow_up_due': {
      if (event.links.conversation[ownerTaskLinkType(event)] !== undefined) return { status: 'delivered' };
      const text = ownerTaskOf(event);
      if (text === undefined) return { status: 'rejected', error: `${event.type} without readable data (kind and times, or trigger, template and sentAt)` };
      const contactId = planner.contacts.ofConversation(event);
      if (contactId === undefined) return noContactYet;
      plan.ownerTasks.push({ index, contactId, text });
      return undefined;
    }
    default:
      return { status: 'skipped', reason: `${event.type} is not shown on the HubSpot timeline` };
  }
}

/**
 * Routing, breaches and follow-ups come after the conversation's first message, which links the conversation to its contact; a
 * conversation without that link has had none delivered here since (logged before the link existed, or its contact
 * was deleted in HubSpot). Skipped: waiting would hold the conversation's next message, the one that would link it.
 */
const noContactYet: EventResult = { status: 'skipped', reason: 'no message of the conversation is on a HubSpot contact yet' };

type Written = { ok: true; communications: Map<string, string>; missing: Map<number, string>; refused: Map<number, string> } | { ok: false; error: BatchError };

/**
 * The HubSpot side of a plan: the idempotency read, one create, one update of communications, one of contacts; with
 * routings or owner tasks, a read of their contacts first and each task last.
 */
async function write(installation: HubSpotInstallation, events: readonly SyncEvent[], plan: Plan, ctx: DeliverContext, options?: CallOptions): Promise<Written> {
  const communications = new Map<string, string>();
  for (const event of events) {
    const logged = event.messageId === null ? undefined : event.links.message[timelineLinkTypes.communication];
    if (logged !== undefined && event.messageId !== null) communications.set(event.messageId, logged);
  }
  if (plan.logs.length > 0) {
    const existing = await findCommunicationsBy(installation, appProperties.messageId, plan.logs.map((l) => l.key), options);
    if (!existing.ok) return { ok: false, error: batchError(existing.error) };
    const toCreate = plan.logs.filter((l) => !existing.value.has(l.key));
    const deals = installation.config.associateOpenDeals && toCreate.length > 0
      ? await openDealsCached(installation, toCreate.map((l) => l.contactId), options)
      : { ok: true as const, value: new Map<string, string[]>() };
    if (!deals.ok) return { ok: false, error: batchError(deals.error) };
    const inputs: CommunicationInput[] = toCreate.map((l) => ({
      properties: { ...l.properties, [appProperties.messageId]: l.key }, contactId: l.contactId, dealIds: deals.value.get(l.contactId) ?? [],
    }));
    const created = await createWithDealsIfValid(installation, inputs, options);
    if (!created.ok) return { ok: false, error: batchError(created.error) };
    const ids = new Map(existing.value);
    toCreate.forEach((l, i) => ids.set(l.key, created.value[i] ?? ''));
    for (const l of plan.logs) if (l.messageId !== null) communications.set(l.messageId, ids.get(l.key) ?? '');
  }

  const settled = await settleAutomation(installation, events, plan, options);
  if (!settled.ok) return settled;
  const missing = settled.missing;
  const statusUpdates = plan.statusUpdates.flatMap((u) => {
    const id = communications.get(u.messageId) ?? events[u.index]?.links.message[timelineLinkTypes.communication];
    if (id === undefined) missing.set(u.index, 'the message is not on the HubSpot timeline');
    return id === undefined ? [] : [{ index: u.index, id, properties: u.properties }];
  });
  const updates: Array<[('communications' | 'contacts'), Array<{ index: number; id: string; properties: Properties }>]> = [
    ['communications', statusUpdates],
    ['contacts', [...plan.contactUpdates, ...settled.ownerUpdates].map((u) => ({ index: u.index, id: u.contactId, properties: u.properties }))],
  ];
  for (const [objectType, list] of updates) {
    const updated = await updateObjects(installation, objectType, merged(list), options);
    if (!updated.ok) return { ok: false, error: batchError(updated.error) };
    for (const u of list) if (!updated.value.updated.has(u.id)) missing.set(u.index, `the HubSpot ${objectType === 'contacts' ? 'contact' : 'communication'} ${u.id} no longer exists`);
  }
  const refused = new Map<number, string>();
  for (const task of settled.tasks) {
    const event = events[task.index];
    if (event === undefined || missing.has(task.index)) continue;
    const created = await createTaskOnce(installation, ctx, event, task, options);
    if (created.ok) continue;
    // Input HubSpot refuses (an owner id it does not know, a contact gone since the read) fails this event alone.
    if (created.error.code !== 'VALIDATION' && created.error.code !== 'NOT_FOUND') return { ok: false, error: batchError(created.error) };
    refused.set(task.index, `HubSpot task: ${created.error.code}: ${created.error.message}`);
  }
  return { ok: true, communications, missing, refused };
}

type Settled = { ok: true; missing: Map<number, string> } & Omit<ReturnType<typeof settleOwnersAndTasks>, 'missing'>;

/** Reads the contacts that routings and owner tasks land on, and settles their owner changes and tasks in event order. */
async function settleAutomation(installation: HubSpotInstallation, events: readonly SyncEvent[], plan: Plan, options?: CallOptions): Promise<Settled | { ok: false; error: BatchError }> {
  if (plan.owners.length === 0 && plan.ownerTasks.length === 0) return { ok: true, missing: new Map(), ownerUpdates: [], tasks: [] };
  const contacts = await readTaskContacts(installation, [...plan.owners, ...plan.ownerTasks].map((p) => p.contactId), options);
  if (!contacts.ok) return { ok: false, error: batchError(contacts.error) };
  const occurredAt = (index: number) => events[index]?.occurredAt ?? new Date();
  return { ok: true, ...settleOwnersAndTasks(plan.owners, plan.ownerTasks, contacts.value, installation.config.routingOwner, occurredAt) };
}

/**
 * The batch create. HubSpot refuses the whole batch when an association names a deal deleted since we read it
 * (the cache's minutes): then the deals are read again next time and this batch is logged on the contacts alone,
 * rather than 100 messages becoming dead letters over one deal.
 */
async function createWithDealsIfValid(installation: HubSpotInstallation, inputs: CommunicationInput[], options?: CallOptions): Promise<HubSpotResult<string[]>> {
  if (inputs.length === 0) return { ok: true, value: [] };
  const created = await createCommunications(installation, inputs, options);
  if (created.ok || created.error.code !== 'VALIDATION' || inputs.every((i) => i.dealIds.length === 0)) return created;
  forgetOpenDeals(installation, inputs.map((i) => i.contactId));
  return createCommunications(installation, inputs.map((i) => ({ ...i, dealIds: [] })), options);
}

/** One input per record (a batch may not name one twice): later events' properties win, as they are newer. */
function merged(list: ReadonlyArray<{ id: string; properties: Properties }>): Array<{ id: string; properties: Properties }> {
  const byId = new Map<string, Properties>();
  for (const u of list) byId.set(u.id, { ...byId.get(u.id), ...u.properties });
  return [...byId.entries()].map(([id, properties]) => ({ id, properties }));
}

/** The properties that make a communication a WhatsApp message on the timeline (§7.2). */
function whatsApp(at: string): Properties {
  return { hs_communication_channel_type: 'WHATS_APP', hs_communication_logged_from: 'CRM', hs_timestamp: at };
}

function communicationProperties(event: SyncEvent): Properties {
  const at = isoOr(event.type === 'message.inbound' ? event.data.sentAt : undefined, event.occurredAt);
  const properties: Properties = { ...whatsApp(at), hs_communication_body: renderMessageBody(event) };
  if (event.type === 'message.outbound') properties[appProperties.status] = 'pending';
  return properties;
}

function statusOf(event: SyncEvent): string {
  const status = event.data.status;
  return status === 'sent' || status === 'delivered' || status === 'read' || status === 'failed' ? status : 'pending';
}

function isoOr(value: unknown, fallback: Date): string {
  const at = typeof value === 'string' ? new Date(value) : fallback;
  return (Number.isNaN(at.getTime()) ? fallback : at).toISOString();
}
