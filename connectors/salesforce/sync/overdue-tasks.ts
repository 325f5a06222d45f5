import { z } from 'zod';
import type { EventResult, SyncEvent } from '../../../core/connectors/contract';
import { handoffOf, handoffText } from '../../../core/sync/handoff-event';
import type { SalesforceInstallation } from '../client/salesforce-call';
import type { SalesforceResult } from '../salesforce-result';
import type { AutomationBatch } from './automation-events';
import { compositeAll, queryPath, queryRecords, recordsOf, type FoundRecord, type Subrequest } from './composite';
import type { SaveRecord } from './collections';
import { packaged } from './package-names';
import { soqlList } from './soql';
import { utcDay } from './summary-tasks';

/** `conversation.sla_breached` data (core/automation/sla-timers.ts). */
const breachData = z.object({
  kind: z.enum(['first_response', 'next_response']),
  team: z.string().nullable(),
  startedAt: z.string(),
  dueAt: z.string(),
});
type Breach = z.infer<typeof breachData>;

/** `conversation.follow_up_due` data (core/automation/trigger-jobs.ts). */
const followUpData = z.object({ trigger: z.string().min(1), template: z.string().min(1), sentAt: z.string() });

const OVERDUE_SUBJECT = 'WhatsApp reply overdue';
const HANDOFF_SUBJECT = 'Bot handed over';
const FOLLOW_UP_SUBJECT = 'WhatsApp follow-up due';

/** What a Task says: a missed target (High) or a bot's handoff (Normal: a person is needed, nobody is late yet). */
interface TaskText {
  subject: string;
  description: string;
  priority: 'High' | 'Normal';
}

/** A breach's or handoff's conversation as Salesforce has it. */
interface Place {
  index: number;
  event: SyncEvent;
  text: TaskText;
  recordId: string;
  personId: string | undefined;
  personIsLead: boolean;
  caseId: string | undefined;
  conversationOwner: unknown;
}

/** The new owners routing gives records in the same batch, by record id: they count before what Salesforce has now. */
export type NewOwners = ReadonlyMap<string, string>;

/**
 * A Task for whoever must answer each missed response target (issue 7 item 5): Subject "WhatsApp reply overdue",
 * Not Started, High, due the day of the breach; for each trigger's template left unanswered (item 7) a Task "WhatsApp
 * follow-up due", Normal; and for each bot handoff (item 4) a Task "Bot handed over" with the
 * reason and transcript, Normal, placed and assigned the same way (the Case's owner is who picks it up;
 * CaseComment is not in the reference, and a message record would read as if the customer had written it), on the Contact or Lead (WhoId) and, for a Contact, the Case (a Lead's
 * Task may not name another record, §3.2). It is assigned to the first user (005…) who owns, in order, the Case, the
 * conversation record once routing gave it to someone other than the connecting user, the Contact or Lead; else
 * to the connecting user (Salesforce's default). Queues are passed over: whether a queue may own Tasks is not in
 * the reference [U]. Salesforce has no external id on Tasks (§8), so each Task ends with the event's external id
 * and is looked for before it is created: a retried batch, or one whose answer was lost, finds it instead of
 * creating another. Two reads (the conversation records; their owners and Tasks) before the one write.
 */
export async function ownerTasks(
  installation: SalesforceInstallation, batch: AutomationBatch, newOwners: NewOwners, results: Map<number, EventResult>,
): Promise<SalesforceResult<Array<SaveRecord & { index: number }>>> {
  const wanted: Array<{ index: number; event: SyncEvent; text: TaskText; recordId: string }> = [];
  for (const [index, event] of batch.events.entries()) {
    if (!batch.pending(index)) continue;
    const text = taskTextOf(event);
    if (text === undefined) continue;
    const recordId = batch.recordOf.get(event.conversationId);
    if ('error' in text) results.set(index, text.error);
    else if (recordId === undefined) results.set(index, { status: 'skipped', reason: 'the conversation is not in Salesforce yet' });
    else wanted.push({ index, event, text, recordId });
  }
  if (wanted.length === 0) return { ok: true, value: [] };
  const places = await placesOf(installation, wanted, results);
  if (!places.ok) return places;
  const known = await ownersAndTasks(installation, places.value);
  if (!known.ok) return known;
  const tasks: Array<SaveRecord & { index: number }> = [];
  for (const place of places.value) {
    const footer = footerOf(place.event);
    if (known.value.tasks.some((t) => typeof t.Description === 'string' && t.Description.endsWith(footer))) continue;
    const ownerOf = (id: string | undefined) => (id === undefined ? undefined : newOwners.get(id) ?? known.value.owners.get(id));
    // The conversation record belongs to someone only once routing gave it away from the connecting user, its default owner.
    const conversationOwner = newOwners.get(place.recordId) ?? place.conversationOwner;
    const owner = [ownerOf(place.caseId), conversationOwner === installation.config.userId ? undefined : conversationOwner, ownerOf(place.personId)].find(isUser);
    tasks.push({
      index: place.index, objectName: 'Task',
      fields: {
        Subject: place.text.subject, Description: `${place.text.description}\n${footer}`, Status: 'Not Started', Priority: place.text.priority,
        ActivityDate: utcDay(place.event.occurredAt.toISOString()), TaskSubtype: 'Task',
        ...(place.personId ? { WhoId: place.personId } : {}),
        ...(place.caseId && !place.personIsLead ? { WhatId: place.caseId } : {}),
        ...(owner ? { OwnerId: owner } : {}),
      },
    });
  }
  return { ok: true, value: tasks };
}

/** A breach's, follow-up's or handoff's Task text; an error result for one that cannot be read; undefined for other events. */
function taskTextOf(event: SyncEvent): TaskText | { error: EventResult } | undefined {
  if (event.type === 'conversation.sla_breached') {
    const data = breachData.safeParse(event.data);
    if (!data.success) return { error: { status: 'rejected', error: `conversation.sla_breached: ${z.prettifyError(data.error)}` } };
    return { subject: OVERDUE_SUBJECT, description: describe(data.data), priority: 'High' };
  }
  if (event.type === 'conversation.follow_up_due') {
    const data = followUpData.safeParse(event.data);
    if (!data.success) return { error: { status: 'rejected', error: `conversation.follow_up_due: ${z.prettifyError(data.error)}` } };
    const { trigger, template, sentAt } = data.data;
    return { subject: FOLLOW_UP_SUBJECT, description: `The customer has not answered the WhatsApp template ${template} (trigger ${trigger}) sent at ${sentAt}: follow up with them.`, priority: 'Normal' };
  }
  if (event.type !== 'conversation.handoff') return undefined;
  const handoff = handoffOf(event);
  if (handoff === undefined) return { error: { status: 'rejected', error: 'conversation.handoff without a readable reason' } };
  if (handoff.to === 'bot') return { error: { status: 'skipped', reason: 'handed back to the bot: nobody needs to act' } };
  return { subject: HANDOFF_SUBJECT, description: handoffText(handoff), priority: 'Normal' };
}

/** The person, Case and owner of each conversation record, read in one query. */
async function placesOf(
  installation: SalesforceInstallation, wanted: ReadonlyArray<{ index: number; event: SyncEvent; text: TaskText; recordId: string }>, results: Map<number, EventResult>,
): Promise<SalesforceResult<Place[]>> {
  const { namespace, cases } = installation.config;
  const field = (name: string) => packaged(namespace, name);
  const read = await queryRecords(installation, `SELECT Id, ${field('Contact__c')}, ${field('Lead__c')}, ${field('Case__c')}, OwnerId FROM ${field('WhatsApp_Conversation__c')} WHERE Id IN ${soqlList([...new Set(wanted.map((w) => w.recordId))])}`);
  if (!read.ok) return read;
  const byId = new Map(read.value.map((r) => [r.Id, r]));
  const places: Place[] = [];
  for (const { index, event, text, recordId } of wanted) {
    const record = byId.get(recordId);
    const contact = idOf(record?.[field('Contact__c')]);
    const lead = idOf(record?.[field('Lead__c')]);
    const caseId = cases.enabled ? idOf(record?.[field('Case__c')]) : undefined;
    if (record === undefined) results.set(index, { status: 'skipped', reason: 'the conversation record was deleted in Salesforce' });
    else if (contact === undefined && lead === undefined && caseId === undefined) results.set(index, { status: 'skipped', reason: 'no Contact, Lead or Case in Salesforce to put the reminder on' });
    else places.push({ index, event, text, recordId, personId: contact ?? lead, personIsLead: contact === undefined && lead !== undefined, caseId, conversationOwner: record.OwnerId });
  }
  return { ok: true, value: places };
}

/** In one composite call: the owners of the Cases, Contacts and Leads, and the overdue and handoff Tasks already on them. */
async function ownersAndTasks(installation: SalesforceInstallation, places: readonly Place[]): Promise<SalesforceResult<{ owners: Map<string, unknown>; tasks: FoundRecord[] }>> {
  const ids = (pick: (p: Place) => string | undefined) => [...new Set(places.map(pick).filter((id): id is string => id !== undefined))];
  const owned = ([['Case', ids((p) => p.caseId)], ['Contact', ids((p) => (p.personIsLead ? undefined : p.personId))], ['Lead', ids((p) => (p.personIsLead ? p.personId : undefined))]] as const)
    .filter(([, list]) => list.length > 0);
  const taskOf = (field: 'WhoId' | 'WhatId', list: string[]) => (list.length === 0 ? [] : [{ field, list }]);
  const tasksBy = [...taskOf('WhoId', ids((p) => p.personId)), ...taskOf('WhatId', ids((p) => (p.personId === undefined ? p.caseId : undefined)))];
  const subrequests: Subrequest[] = [
    ...owned.map(([object, list]) => ({ referenceId: `owners${object}`, method: 'GET' as const, path: queryPath(`SELECT Id, OwnerId FROM ${object} WHERE Id IN ${soqlList(list)}`) })),
    ...tasksBy.map(({ field, list }) => ({
      referenceId: `tasks${field}`, method: 'GET' as const,
      path: queryPath(`SELECT Id, Description FROM Task WHERE Subject IN ${soqlList([OVERDUE_SUBJECT, HANDOFF_SUBJECT, FOLLOW_UP_SUBJECT])} AND ${field} IN ${soqlList(list)} ORDER BY CreatedDate DESC LIMIT 200`),
    })),
  ];
  const answered = await compositeAll(installation, subrequests);
  if (!answered.ok) return answered;
  const found: FoundRecord[][] = [];
  for (const answer of answered.value) {
    const records = recordsOf(answer);
    if (!records.ok) return records;
    found.push(records.value);
  }
  return { ok: true, value: { owners: new Map(found.slice(0, owned.length).flat().map((r) => [r.Id, r.OwnerId])), tasks: found.slice(owned.length).flat() } };
}

function describe(breach: Breach): string {
  const target = breach.kind === 'first_response' ? 'first' : 'next';
  const team = breach.team === null ? '' : ` (team ${breach.team})`;
  return `The customer has waited on WhatsApp since ${breach.startedAt}: the ${target} response target${team} was due at ${breach.dueAt}. Answer from the WhatsApp thread on this record.`;
}

/** Names the event: how a retried batch recognises the Task it created. */
function footerOf(event: SyncEvent): string {
  return `— Threadline ${event.externalId}`;
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A user id (005…), not a queue (00G…). */
function isUser(id: unknown): id is string {
  return typeof id === 'string' && id.startsWith('005');
}
