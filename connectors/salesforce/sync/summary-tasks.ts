import type { SalesforceInstallation } from '../client/salesforce-call';
import type { Person } from '../identity/resolve-customers';
import type { SalesforceResult } from '../salesforce-result';
import { compositeAll, queryPath, recordsOf, type FoundRecord, type Subrequest } from './composite';
import { packaged } from './package-names';
import { soqlList, soqlString } from './soql';

/**
 * Optional summary Tasks (issue 6 item 2, reference §3.2): one Completed Task per WhatsApp_Conversation__c (customer
 * and business number) and UTC day, on the Contact or Lead, so the day's messages show in the standard Activity
 * Timeline. UTC, not the org's time zone: ActivityDate is stored as midnight UTC anyway, the day of a message is
 * then the same for every worker and retry, and it costs no read of the org's settings; each line shows its time.
 * The transcript is rebuilt from the conversation's message records (the system of record) plus the batch's own,
 * so a retried or replayed batch writes the same Task text again.
 */
export interface TaskDay {
  conversationRecordId: string;
  /** The conversation record's key, named in the Task's last line: how a Task whose id was lost is found again. */
  conversationKey: string;
  day: string;
  person: Person;
  /** The conversation's current Case: the Task's WhatId when the person is a Contact (a Lead's Task may have none). */
  caseId: string | undefined;
  /** The day's Task, as linked; undefined before it is created (or when its link was not saved). */
  taskId: string | undefined;
  /** The batch's messages of the day by Threadline id. */
  lines: Map<string, TranscriptLine>;
  /** Where the Task's id is linked: the customer's contact, under the number's and day's link type. */
  contactId: string;
  phoneNumberId: string;
  /** The day's first event of the batch: it carries the link, or the dead letter when Salesforce refuses the Task. */
  first: number;
}

export interface TranscriptLine {
  at: string;
  direction: 'Inbound' | 'Outbound';
  body: string;
}

/** What the org holds for a day: its messages (as far as read), the Task when found, the person's name. */
interface StoredDay {
  lines: Map<string, TranscriptLine>;
  /** False when the read stopped before the start of the day: earlier messages exist but are not shown. */
  complete: boolean;
  taskId: string | undefined;
  name: string | undefined;
}

const descriptionLimit = 32_000;
const subjectLimit = 255;
/** Messages read per conversation: a day with more shows its latest ones and says so. */
const readLimit = 500;

/** The UTC day (YYYY-MM-DD) of an ISO time. */
export function utcDay(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

/**
 * Reads, in one composite call per 25 subrequests, each conversation's latest messages, each person's name and,
 * for days without a linked Task, the person's WhatsApp Tasks (to find one created by a request whose answer was
 * lost), then returns the Task write of every day: a POST for a new Task, a PATCH for the day's Task.
 */
export async function taskWrites(installation: SalesforceInstallation, days: readonly TaskDay[]): Promise<SalesforceResult<TaskWrite[]>> {
  const stored = await readDays(installation, days);
  if (!stored.ok) return stored;
  return { ok: true, value: stored.value.map(([day, found]) => {
    const text = summaryOf(day, new Map([...found.lines, ...day.lines]), found);
    return { day, text, subrequest: taskWrite(day, found.taskId, text) };
  }) };
}

export interface TaskWrite {
  day: TaskDay;
  text: TaskText;
  subrequest: Subrequest;
}

interface TaskText {
  Subject: string;
  Description: string;
}

/** The same write as a new Task: for a day whose Task was deleted in Salesforce since. */
export function asNewTask(write: TaskWrite): TaskWrite {
  return { ...write, subrequest: taskWrite(write.day, undefined, write.text) };
}

async function readDays(installation: SalesforceInstallation, days: readonly TaskDay[]): Promise<SalesforceResult<Array<[TaskDay, StoredDay]>>> {
  const { namespace } = installation.config;
  const records = [...new Set(days.map((d) => d.conversationRecordId))];
  const seekers = [...new Set(days.filter((d) => d.taskId === undefined).map((d) => d.person.id))];
  const contacts = [...new Set(days.filter((d) => d.person.type === 'Contact').map((d) => d.person.id))];
  const leads = [...new Set(days.filter((d) => d.person.type === 'Lead').map((d) => d.person.id))];
  const field = (name: string) => packaged(namespace, name);
  const subrequests: Subrequest[] = [
    ...records.map((id, i) => ({
      referenceId: `messages${i}`, method: 'GET' as const,
      path: queryPath(`SELECT Id, ${field('Threadline_Id__c')}, ${field('Direction__c')}, ${field('Body__c')}, ${field('Sent_At__c')} FROM ${field('WhatsApp_Message__c')} WHERE ${field('Conversation__c')} = ${soqlString(id)} ORDER BY ${field('Sent_At__c')} DESC LIMIT ${readLimit}`),
    })),
    ...seekers.map((id, i) => ({
      referenceId: `tasks${i}`, method: 'GET' as const,
      path: queryPath(`SELECT Id, Description FROM Task WHERE WhoId = ${soqlString(id)} AND Subject LIKE 'WhatsApp: %' ORDER BY CreatedDate DESC LIMIT 10`),
    })),
    ...([['Contact', contacts], ['Lead', leads]] as const).flatMap(([object, ids]) => (ids.length === 0 ? [] : [{
      referenceId: `names${object}`, method: 'GET' as const, path: queryPath(`SELECT Id, Name FROM ${object} WHERE Id IN ${soqlList(ids)}`),
    }])),
  ];
  const answered = await compositeAll(installation, subrequests);
  if (!answered.ok) return answered;
  const found: FoundRecord[][] = [];
  for (const result of answered.value) {
    const read = recordsOf(result);
    if (!read.ok) return read;
    found.push(read.value);
  }
  const messagesOf = new Map(records.map((id, i) => [id, found[i] ?? []]));
  const tasksOf = new Map(seekers.map((id, i) => [id, found[records.length + i] ?? []]));
  const names = new Map(found.slice(records.length + seekers.length).flat().map((r) => [r.Id, typeof r.Name === 'string' ? r.Name : undefined]));
  return { ok: true, value: days.map((day): [TaskDay, StoredDay] => {
    const messages = messagesOf.get(day.conversationRecordId) ?? [];
    const lines = new Map<string, TranscriptLine>();
    for (const m of messages) {
      const id = m[field('Threadline_Id__c')];
      const at = m[field('Sent_At__c')];
      if (typeof id !== 'string' || typeof at !== 'string' || utcDay(at) !== day.day) continue;
      lines.set(id, { at, direction: m[field('Direction__c')] === 'Outbound' ? 'Outbound' : 'Inbound', body: String(m[field('Body__c')] ?? '') });
    }
    const oldest = messages.at(-1)?.[field('Sent_At__c')];
    const complete = messages.length < readLimit || (typeof oldest === 'string' && utcDay(oldest) < day.day);
    const footer = footerOf(day);
    const lost = tasksOf.get(day.person.id)?.find((t) => typeof t.Description === 'string' && t.Description.endsWith(footer));
    return [day, { lines, complete, taskId: day.taskId ?? lost?.Id, name: names.get(day.person.id) }];
  }) };
}

function taskWrite(day: TaskDay, taskId: string | undefined, text: TaskText): Subrequest {
  const whatId = day.person.type === 'Contact' && day.caseId !== undefined ? { WhatId: day.caseId } : {};
  const referenceId = `task${day.conversationRecordId}${day.day.replaceAll('-', '')}`;
  if (taskId !== undefined) return { referenceId, method: 'PATCH', path: `/sobjects/Task/${taskId}`, body: { ...text, ...whatId } };
  return {
    referenceId, method: 'POST', path: '/sobjects/Task',
    // TaskSubtype is set once (create only, §3.2): 'Task' keeps it in the timeline's task filter; Status closed keeps it off to-do lists.
    body: { ...text, WhoId: day.person.id, ...whatId, Status: 'Completed', ActivityDate: day.day, TaskSubtype: 'Task' },
  };
}

/**
 * "WhatsApp: 3 messages with Ana Silva" and the day's transcript. Over 32,000 characters the latest messages are
 * kept (the ones a rep reads the Task for), after a note saying how many earlier ones the conversation record has.
 */
function summaryOf(day: TaskDay, lines: Map<string, TranscriptLine>, stored: StoredDay): TaskText {
  const sorted = [...lines.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const more = stored.complete ? '' : '+';
  const subject = `WhatsApp: ${sorted.length}${more} message${sorted.length === 1 ? '' : 's'} with ${stored.name ?? 'WhatsApp customer'}`.slice(0, subjectLimit);
  const footer = footerOf(day);
  const note = (omitted: number) => `[${omitted}${more} earlier message${omitted === 1 ? ' of the day is' : 's of the day are'} not shown here: the WhatsApp conversation has them all]`;
  const rendered = sorted.map(lineOf);
  const shown: string[] = [];
  let used = footer.length + 1 + note(rendered.length).length + 1;
  for (const line of [...rendered].reverse()) {
    if (shown.length > 0 && used + line.length + 1 > descriptionLimit) break;
    shown.unshift(line);
    used += line.length + 1;
  }
  const omitted = rendered.length - shown.length;
  const body = [...(omitted > 0 || !stored.complete ? [note(omitted)] : []), ...shown].join('\n');
  return { Subject: subject, Description: `${body.slice(0, descriptionLimit - footer.length - 1)}\n${footer}` };
}

/** "09:14 UTC in: text", continuation lines indented. */
function lineOf(line: TranscriptLine): string {
  const time = new Date(line.at).toISOString().slice(11, 16);
  return `${time} ${line.direction === 'Inbound' ? 'in' : 'out'}: ${line.body.replaceAll('\n', '\n    ')}`;
}

function footerOf(day: TaskDay): string {
  return `— Threadline, WhatsApp conversation ${day.conversationKey}, ${day.day} (times UTC)`;
}
