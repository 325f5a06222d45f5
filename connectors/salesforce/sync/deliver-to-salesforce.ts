import type { BatchOutcome, DeliverContext, DeliveryLimits, EventResult, ExternalLinkWrite, SyncEvent } from '../../../core/connectors/contract';
import type { SalesforceInstallation } from '../client/salesforce-call';
import { customerOfEvent } from '../../../core/sync/customer-of-event';
import { e164Of } from '../../../core/whatsapp/phone-number';
import type { Customer } from '../identity/customer';
import { mappedPerson, resolveCustomers, type Person } from '../identity/resolve-customers';
import { salesforceLinkTypes, summaryTaskLinkType } from '../link-types';
import { describeApiErrors, type SalesforceApiError, type SalesforceResult } from '../salesforce-result';
import type { SalesforceConfig } from '../salesforce-settings';
import { writeAutomationEvents } from './automation-events';
import { batchError, isRecordError } from './batch-error';
import { ensureCases, type CaseNeed } from './cases';
import { outcomesOf, upsertRecords, upsertSubrequests, type RecordOutcome } from './collections';
import { compositeAll, type SubResult } from './composite';
import { conversationKey, foldConversationEvent, newConversationWrite, type ConversationWrite } from './conversation-records';
import { foldMessageEvent, type MessageWrite } from './message-records';
import { packaged, packagedFields } from './package-names';
import { renderBody } from './render-body';
import { asNewTask, taskWrites, utcDay, type TaskDay, type TaskWrite } from './summary-tasks';

/**
 * What the sync engine may ask of one org. Salesforce counts API calls per rolling 24 hours and has no per-second
 * limit for short requests (reference §6), so the budget is an hourly one: 300 deliveries of up to 200 events. A
 * delivery costs two calls once customers are known (conversations, messages), one more with summary Tasks (the
 * day's read), one more with routed conversations and three with missed response targets (rare), up to six with new
 * customers or Cases, so sync spends at most about 43,000 calls a day under sustained
 * full load (under half of an Enterprise org's 100,000 + 1,000 per licence) and a few thousand in ordinary traffic, which leaves the quota to the org's users, the
 * package's Apex and its other integrations. A Developer Edition org (15,000) reaches its quota only under that
 * full load; then REQUEST_LIMIT_EXCEEDED pauses sync until calls free up, losing nothing.
 */
export function salesforceLimits(_config: SalesforceConfig): DeliveryLimits {
  return { batchSize: 200, requests: 300, windowMs: 3_600_000 };
}

type Results = Array<EventResult | undefined>;

/**
 * Delivers one batch (≤ 200 events) to an org (issue 6 items 2–4, 6; reference §3.1–§3.4): the customers'
 * Contacts or Leads (found or created once), one WhatsApp_Conversation__c per customer and number upserted by its
 * key, Cases for support conversations, then every message and status as one WhatsApp_Message__c per message,
 * upserted by Threadline's message id (Threadline_Id__c: an outbound message has no wamid until Meta accepts it),
 * with each day's summary Task when the org has them, then the new owners of routed conversations and the Tasks of
 * missed response targets and bot handoffs (automation-events.ts), so a retried batch writes the same records again. Every record's result is inspected: Salesforce's refusal of one record is
 * its event's dead letter, naming code and field; a spent quota, a dead session or an outage fails the whole batch
 * (the quota pauses the org, costing no attempt). A failing event holds the later events of its conversation.
 */
export async function deliverToSalesforce(installation: SalesforceInstallation, events: readonly SyncEvent[], ctx: DeliverContext): Promise<BatchOutcome> {
  const results: Results = events.map(() => undefined);
  const links = new Map<number, ExternalLinkWrite[]>();
  const persons = await personsOf(installation, events, results, ctx);
  if (!persons.ok) return { ok: false, error: batchError(persons.error) };

  const conversations = await writeConversations(installation, events, results, persons.value, links);
  if (!conversations.ok) return { ok: false, error: batchError(conversations.error) };
  if (installation.config.cases.enabled) {
    const cases = await writeCases(installation, events, results, conversations.value, links, ctx);
    if (!cases.ok) return { ok: false, error: batchError(cases.error) };
  }
  const closed = await writeConversationStatuses(installation, events, results);
  if (!closed.ok) return { ok: false, error: batchError(closed.error) };
  const messages = await writeMessages(installation, events, results, conversations.value, links);
  if (!messages.ok) return { ok: false, error: batchError(messages.error) };
  const { recordOf, caseOf } = conversations.value;
  const automation = await writeAutomationEvents(installation, { events, recordOf, caseOf, pending: (index) => results[index] === undefined && !isHeld(events, results, index) });
  if (!automation.ok) return { ok: false, error: batchError(automation.error) };
  for (const [index, result] of automation.value) results[index] = result;

  return { ok: true, results: inOrder(events, results.map((r, index) => r ?? { status: 'delivered', links: links.get(index) ?? [] })) };
}

/**
 * The person of every customer the batch's messages name: mapped already (the engine loads the links), else
 * resolved for all at once. A customer Salesforce refused (a Lead it would not create) rejects their events.
 */
async function personsOf(installation: SalesforceInstallation, events: readonly SyncEvent[], results: Results, ctx: DeliverContext): Promise<SalesforceResult<Map<string, Person | undefined>>> {
  const persons = new Map<string, Person | undefined>();
  const unknown = new Map<string, Customer>();
  for (const [index, event] of events.entries()) {
    if (event.type !== 'message.inbound' && event.type !== 'message.outbound') continue;
    const customer = customerOfEvent(event);
    if (customer === undefined) {
      results[index] = { status: 'rejected', error: 'the message event names no customer to file it under' };
      continue;
    }
    const mapped = mappedPerson(event.links.contact);
    if (mapped !== undefined) persons.set(customer.contactId, mapped);
    else if (!persons.has(customer.contactId)) unknown.set(customer.contactId, customer);
  }
  if (unknown.size === 0) return { ok: true, value: persons };
  const resolved = await resolveCustomers(installation, [...unknown.values()], ctx);
  if (!resolved.ok) return resolved;
  for (const [contactId, resolution] of resolved.value) {
    if (resolution.kind === 'person') persons.set(contactId, resolution.person);
    else if (resolution.kind === 'none') {
      ctx.logger.info({ contactId }, resolution.reason);
      persons.set(contactId, undefined);
    } else {
      for (const [index, event] of events.entries()) {
        if (customerOfEvent(event)?.contactId === contactId) results[index] ??= { status: 'rejected', error: `Salesforce refused the Lead for this customer: ${resolution.error.message}` };
      }
    }
  }
  return { ok: true, value: persons };
}

/** Conversation record id per Threadline conversation, and the writes (for Cases). */
interface Conversations {
  recordOf: Map<string, string>;
  writes: Array<ConversationWrite & { recordId?: string }>;
  /** The current Case per conversation record, as linked or opened in this batch. */
  caseOf: Map<string, string>;
}

/** Upserts a WhatsApp_Conversation__c per customer of the batch's messages (its lookups, status, last inbound time). */
async function writeConversations(
  installation: SalesforceInstallation, events: readonly SyncEvent[], results: Results, persons: Map<string, Person | undefined>, links: Map<number, ExternalLinkWrite[]>,
): Promise<SalesforceResult<Conversations>> {
  const { config } = installation;
  const recordOf = new Map<string, string>();
  const caseOf = new Map<string, string>();
  for (const event of events) {
    const linked = event.links.conversation[salesforceLinkTypes.conversation];
    if (linked !== undefined) recordOf.set(event.conversationId, linked);
    const linkedCase = event.links.conversation[salesforceLinkTypes.case];
    if (linked !== undefined && linkedCase !== undefined) caseOf.set(linked, linkedCase);
  }
  const byKey = new Map<string, ConversationWrite & { recordId?: string }>();
  for (const [index, event] of events.entries()) {
    const customer = customerOfEvent(event);
    if (customer === undefined || results[index] !== undefined || isHeld(events, results, index)) continue;
    const key = conversationKey(event.phoneNumberId, customer.contactId);
    const write = byKey.get(key) ?? newConversationWrite(event.phoneNumberId, customer, persons.get(customer.contactId));
    byKey.set(key, write);
    foldConversationEvent(write, event, index);
  }
  const writes = [...byKey.values()];
  const upserted = await upsertRecords(installation, packaged(config.namespace, 'WhatsApp_Conversation__c'), packaged(config.namespace, 'Conversation_Key__c'),
    writes.map((w) => packagedFields(config.namespace, { ...w.fields, Conversation_Key__c: w.key })));
  if (!upserted.ok) return upserted;
  for (const [i, write] of writes.entries()) {
    const outcome = upserted.value[i];
    if (!outcome?.ok) {
      refuse(events, results, write.indexes, 'WhatsApp_Conversation__c', outcome);
      continue;
    }
    write.recordId = outcome.id;
    for (const thread of write.threads) {
      const first = write.indexes.find((index) => events[index]?.conversationId === thread);
      if (first !== undefined && events[first]?.links.conversation[salesforceLinkTypes.conversation] !== outcome.id) {
        addLink(links, first, { entityType: 'conversation', entityId: thread, externalType: salesforceLinkTypes.conversation, externalId: outcome.id });
      }
      recordOf.set(thread, outcome.id);
    }
  }
  return { ok: true, value: { recordOf, writes, caseOf } };
}

/** Cases for the conversations that received customer messages (when the org has Cases on). */
async function writeCases(
  installation: SalesforceInstallation, events: readonly SyncEvent[], results: Results, conversations: Conversations, links: Map<number, ExternalLinkWrite[]>, ctx: DeliverContext,
): Promise<SalesforceResult<void>> {
  const needs: Array<CaseNeed & { write: ConversationWrite; first: number }> = [];
  for (const write of conversations.writes) {
    const first = write.inboundIndexes.find((index) => results[index] === undefined && !isHeld(events, results, index));
    const firstEvent = first === undefined ? undefined : events[first];
    if (write.recordId === undefined || first === undefined || firstEvent === undefined) continue;
    needs.push({
      conversationRecordId: write.recordId, person: write.person, write, first,
      phone: write.customer.waId === null ? undefined : e164Of(write.customer.waId), name: write.customer.name ?? undefined, firstMessage: renderBody(firstEvent),
    });
  }
  if (needs.length === 0) return { ok: true, value: undefined };
  const outcomes = await ensureCases(installation, needs, ctx);
  if (!outcomes.ok) return outcomes;
  for (const need of needs) {
    const outcome = outcomes.value.get(need.conversationRecordId);
    if (outcome === undefined) continue;
    if (!outcome.ok) {
      results[need.first] = { status: 'rejected', error: `Case: ${outcome.error.message}` };
      continue;
    }
    conversations.caseOf.set(need.conversationRecordId, outcome.caseId);
    for (const thread of need.write.threads) {
      const first = need.write.indexes.find((index) => events[index]?.conversationId === thread);
      if (first !== undefined && events[first]?.links.conversation[salesforceLinkTypes.case] !== outcome.caseId) {
        addLink(links, first, { entityType: 'conversation', entityId: thread, externalType: salesforceLinkTypes.case, externalId: outcome.caseId });
      }
    }
  }
  return { ok: true, value: undefined };
}

/** A thread closed or reopened in Threadline sets its conversation record's Status__c; one never synced has none to set. */
async function writeConversationStatuses(installation: SalesforceInstallation, events: readonly SyncEvent[], results: Results): Promise<SalesforceResult<void>> {
  const updates = new Map<string, { fields: Record<string, unknown>; indexes: number[] }>();
  for (const [index, event] of events.entries()) {
    if (event.type !== 'conversation.closed' && event.type !== 'conversation.reopened') {
      if (event.type === 'conversation.assigned' || event.type === 'consent.changed') results[index] = { status: 'skipped', reason: `${event.type} is not shown in Salesforce` };
      continue;
    }
    const recordId = event.links.conversation[salesforceLinkTypes.conversation];
    if (recordId === undefined) {
      results[index] = { status: 'skipped', reason: 'the conversation is not in Salesforce yet' };
      continue;
    }
    if (isHeld(events, results, index)) continue;
    const update = updates.get(recordId) ?? { fields: { Id: recordId }, indexes: [] };
    update.fields[packaged(installation.config.namespace, 'Status__c')] = event.type === 'conversation.closed' ? 'Closed' : 'Open';
    update.indexes.push(index);
    updates.set(recordId, update);
  }
  if (updates.size === 0) return { ok: true, value: undefined };
  const list = [...updates.values()];
  const updated = await upsertRecords(installation, packaged(installation.config.namespace, 'WhatsApp_Conversation__c'), 'Id', list.map((u) => u.fields));
  if (!updated.ok) return updated;
  list.forEach((u, i) => {
    const outcome = updated.value[i];
    if (!outcome?.ok) refuse(events, results, u.indexes, 'WhatsApp_Conversation__c', outcome);
  });
  return { ok: true, value: undefined };
}

/**
 * Every message and status of the batch, one WhatsApp_Message__c per message, upserted by Threadline_Id__c; with
 * summary Tasks on, each day's Task is written in the same composite call (after one read of the days, summary-tasks.ts).
 */
async function writeMessages(
  installation: SalesforceInstallation, events: readonly SyncEvent[], results: Results, conversations: Conversations, links: Map<number, ExternalLinkWrite[]>,
): Promise<SalesforceResult<void>> {
  const { namespace, summaryTasks } = installation.config;
  const byMessage = new Map<string, MessageWrite>();
  for (const [index, event] of events.entries()) {
    if (!['message.inbound', 'message.outbound', 'message.status', 'message.failed'].includes(event.type) || results[index] !== undefined || isHeld(events, results, index)) continue;
    if (event.messageId === null) {
      results[index] = { status: 'skipped', reason: 'names no message' };
      continue;
    }
    const isMessage = event.type === 'message.inbound' || event.type === 'message.outbound';
    const recordId = conversations.recordOf.get(event.conversationId);
    const known = byMessage.has(event.messageId) || event.links.message[salesforceLinkTypes.message] !== undefined;
    if (recordId === undefined || (!isMessage && !known)) {
      // Its message or conversation failed earlier (a dead letter): this waits, replayable, rather than a record without a body.
      results[index] = { status: 'retry', error: 'the message is not in Salesforce yet' };
      continue;
    }
    const write = byMessage.get(event.messageId) ?? { messageId: event.messageId, indexes: [], fields: { Threadline_Id__c: event.messageId, Conversation__c: recordId }, status: undefined };
    byMessage.set(event.messageId, write);
    foldMessageEvent(write, event, index);
  }
  const writes = [...byMessage.values()];
  if (writes.length === 0) return { ok: true, value: undefined };
  const messageObject = packaged(namespace, 'WhatsApp_Message__c');
  const records = writes.map((w) => packagedFields(namespace, w.fields));
  const tasks = summaryTasks ? await taskWrites(installation, taskDays(events, writes, conversations)) : { ok: true as const, value: [] };
  if (!tasks.ok) return tasks;
  const written = await upsertWithTasks(installation, messageObject, packaged(namespace, 'Threadline_Id__c'), records, tasks.value);
  if (!written.ok) return written;
  const { outcomes, taskAnswers } = written.value;
  for (const [i, write] of writes.entries()) {
    const outcome = outcomes[i];
    if (!outcome?.ok) {
      refuse(events, results, write.indexes, 'WhatsApp_Message__c', outcome);
      continue;
    }
    const first = write.indexes.find((index) => events[index]?.type === 'message.inbound' || events[index]?.type === 'message.outbound');
    if (first !== undefined && events[first]?.links.message[salesforceLinkTypes.message] !== outcome.id) {
      addLink(links, first, { entityType: 'message', entityId: write.messageId, externalType: salesforceLinkTypes.message, externalId: outcome.id });
    }
  }
  return settleTasks(installation, events, results, links, tasks.value, taskAnswers);
}

/**
 * The message upserts and the Task writes in one composite call (more only past 25 subrequests), or the upserts alone
 * as a plain collection call when there is no Task to write: the outcome of each record and the answer of each Task.
 */
async function upsertWithTasks(
  installation: SalesforceInstallation, messageObject: string, keyField: string, records: ReadonlyArray<Record<string, unknown>>, tasks: readonly TaskWrite[],
): Promise<SalesforceResult<{ outcomes: RecordOutcome[]; taskAnswers: SubResult[] }>> {
  if (tasks.length === 0) {
    const upserted = await upsertRecords(installation, messageObject, keyField, records);
    return upserted.ok ? { ok: true, value: { outcomes: upserted.value, taskAnswers: [] } } : upserted;
  }
  const messageRequests = upsertSubrequests('messages', messageObject, keyField, records);
  const answered = await compositeAll(installation, [...messageRequests, ...tasks.map((t) => t.subrequest)]);
  if (!answered.ok) return answered;
  const outcomes: RecordOutcome[] = [];
  for (const [i, request] of messageRequests.entries()) {
    const answer = answered.value[i];
    const read = answer?.ok ? outcomesOf(answer.body, request.count, messageObject) : { ok: false as const, error: answer?.ok === false ? answer.error : { code: 'BAD_RESPONSE' as const, message: 'a subrequest went unanswered' } };
    if (!read.ok) return read;
    outcomes.push(...read.value);
  }
  return { ok: true, value: { outcomes, taskAnswers: answered.value.slice(messageRequests.length) } };
}

/** The batch's messages grouped by conversation record and UTC day, for the people Salesforce knows. */
function taskDays(events: readonly SyncEvent[], writes: readonly MessageWrite[], conversations: Conversations): TaskDay[] {
  const recordWrites = new Map(conversations.writes.flatMap((w) => (w.recordId === undefined ? [] : [[w.recordId, w] as const])));
  const days = new Map<string, TaskDay>();
  for (const write of writes) {
    const { Conversation__c: recordId, Sent_At__c: at, Direction__c: direction, Body__c: body } = write.fields;
    const conversation = typeof recordId === 'string' ? recordWrites.get(recordId) : undefined;
    const first = write.indexes[0];
    if (conversation?.person === undefined || typeof at !== 'string' || first === undefined || (direction !== 'Inbound' && direction !== 'Outbound')) continue;
    const day = utcDay(at);
    const key = `${conversation.key}|${day}`;
    const linkType = summaryTaskLinkType(conversation.phoneNumberId, day);
    const entry = days.get(key) ?? {
      conversationRecordId: conversation.recordId ?? '', conversationKey: conversation.key, day, person: conversation.person, first,
      caseId: conversations.caseOf.get(conversation.recordId ?? ''), contactId: conversation.customer.contactId, phoneNumberId: conversation.phoneNumberId,
      taskId: write.indexes.map((i) => events[i]?.links.contact?.[linkType]).find((id) => id !== undefined), lines: new Map(),
    };
    entry.lines.set(write.messageId, { at, direction, body: String(body ?? '') });
    days.set(key, entry);
  }
  return [...days.values()];
}

/**
 * A new Task's id is linked to its day at once (on the day's first event); a Task deleted in Salesforce since is
 * created again; a Task Salesforce refuses is a dead letter of the day's first event naming field and code.
 */
async function settleTasks(
  installation: SalesforceInstallation, events: readonly SyncEvent[], results: Results, links: Map<number, ExternalLinkWrite[]>,
  writes: readonly TaskWrite[], answers: readonly SubResult[],
): Promise<SalesforceResult<void>> {
  const deleted = writes.filter((w, i) => w.subrequest.method === 'PATCH' && answers[i]?.ok === false && answers[i].error.code === 'NOT_FOUND').map(asNewTask);
  const again = deleted.length === 0 ? { ok: true as const, value: [] } : await compositeAll(installation, deleted.map((w) => w.subrequest));
  if (!again.ok) return again;
  const settled = [...writes.map((w, i) => [w, answers[i]] as const).filter(([w]) => !deleted.some((d) => d.day === w.day)), ...deleted.map((w, i) => [w, again.value[i]] as const)];
  for (const [write, answer] of settled) {
    const { first, contactId, phoneNumberId, day } = write.day;
    if (answer === undefined || !answer.ok) {
      const error = answer?.ok === false ? answer.error : { code: 'BAD_RESPONSE' as const, message: 'the Task went unanswered' };
      if (!isRecordError(error)) return { ok: false, error };
      results[first] ??= { status: 'rejected', error: `Task: ${error.message}` };
      continue;
    }
    const id = write.subrequest.method === 'POST' && typeof answer.body === 'object' && answer.body !== null ? (answer.body as { id?: unknown }).id : undefined;
    const taskId = typeof id === 'string' ? id : write.subrequest.path.split('/').at(-1);
    const externalType = summaryTaskLinkType(phoneNumberId, day);
    if (taskId !== undefined && events[first]?.links.contact?.[externalType] !== taskId) {
      addLink(links, first, { entityType: 'contact', entityId: contactId, externalType, externalId: taskId });
    }
  }
  return { ok: true, value: undefined };
}

/** A record Salesforce refused: its first event is a dead letter saying which field and code; the rest wait behind it. */
function refuse(events: readonly SyncEvent[], results: Results, indexes: readonly number[], objectName: string, outcome: RecordOutcome | undefined): void {
  const errors: SalesforceApiError[] = outcome && !outcome.ok && outcome.errors.length > 0 ? outcome.errors : [{ errorCode: 'UNKNOWN', message: 'Salesforce gave no result for the record', fields: [] }];
  const [first] = indexes;
  if (first !== undefined) results[first] = { status: 'rejected', error: `${objectName}: ${describeApiErrors(errors)}` };
}

/** Whether an earlier event of the same conversation was not delivered: then this one is not written now. */
function isHeld(events: readonly SyncEvent[], results: Results, index: number): boolean {
  const conversationId = events[index]?.conversationId;
  return events.some((e, j) => j < index && e.conversationId === conversationId && (results[j]?.status === 'retry' || results[j]?.status === 'rejected'));
}

function addLink(links: Map<number, ExternalLinkWrite[]>, index: number, link: ExternalLinkWrite): void {
  links.set(index, [...(links.get(index) ?? []), link]);
}

/**
 * Once an event of a conversation is not delivered, its later ones wait too (the contract's order). What was
 * written for them is keyed (message id, conversation key), so writing it again when they come back changes nothing.
 */
function inOrder(events: readonly SyncEvent[], results: readonly EventResult[]): EventResult[] {
  const stopped = new Map<string, string>();
  return events.map((event, index) => {
    const waiting = stopped.get(event.conversationId);
    if (waiting !== undefined) return { status: 'retry', error: waiting };
    const result = results[index] ?? { status: 'retry', error: 'not handled' };
    if (result.status === 'retry' || result.status === 'rejected') stopped.set(event.conversationId, `an earlier event of the conversation is waiting: ${result.error}`);
    return result;
  });
}
