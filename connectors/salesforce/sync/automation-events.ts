import type { EventResult, SyncEvent } from '../../../core/connectors/contract';
import type { SalesforceInstallation } from '../client/salesforce-call';
import { describeApiErrors, type SalesforceResult } from '../salesforce-result';
import { outcomesOf, saveSubrequests, type RecordOutcome } from './collections';
import { compositeAll } from './composite';
import { ownerTasks } from './overdue-tasks';
import { ownerChanges } from './routed-owners';

/** What the automation events of a batch need from the rest of the delivery. */
export interface AutomationBatch {
  events: readonly SyncEvent[];
  /** Whether the event is still undecided and not held behind an earlier event of its conversation. */
  pending(index: number): boolean;
  /** Threadline conversation → its WhatsApp_Conversation__c, as linked or written in this batch. */
  recordOf: ReadonlyMap<string, string>;
  /** WhatsApp_Conversation__c → its current Case, as linked or opened in this batch. */
  caseOf: ReadonlyMap<string, string>;
}

/**
 * Routing, missed response targets and bot handoffs (issue 7 items 2, 5 and 4): the new owners (routed-owners.ts)
 * and the overdue and handoff Tasks (overdue-tasks.ts) are written in one composite call, as sObject Collections (an update by Id and a create),
 * so a routed batch costs one API call and a batch with breaches three. The result of every event decided here;
 * an event written is delivered, a record Salesforce refused is its event's dead letter naming field and code.
 */
export async function writeAutomationEvents(installation: SalesforceInstallation, batch: AutomationBatch): Promise<SalesforceResult<Map<number, EventResult>>> {
  const results = new Map<number, EventResult>();
  const changes = [...ownerChanges(installation.config, batch, results).values()];
  const tasks = await ownerTasks(installation, batch, new Map(changes.map((c) => [c.recordId, c.ownerId])), results);
  if (!tasks.ok) return tasks;
  const updates = changes.map((c) => ({ index: c.indexes[0], record: { objectName: c.objectName, fields: { Id: c.recordId, OwnerId: c.ownerId } } }));
  const creates = tasks.value.map(({ index, ...record }) => ({ index, record }));
  if (updates.length + creates.length === 0) return { ok: true, value: results };
  const subrequests = [...saveSubrequests('owners', 'PATCH', updates.map((w) => w.record)), ...saveSubrequests('tasks', 'POST', creates.map((w) => w.record))];
  const answered = await compositeAll(installation, subrequests);
  if (!answered.ok) return answered;
  const outcomes: RecordOutcome[] = [];
  for (const [i, request] of subrequests.entries()) {
    const answer = answered.value[i];
    if (answer === undefined || !answer.ok) return { ok: false, error: answer?.ok === false ? answer.error : { code: 'BAD_RESPONSE', message: 'a subrequest went unanswered' } };
    const read = outcomesOf(answer.body, request.count, 'records');
    if (!read.ok) return read;
    outcomes.push(...read.value);
  }
  for (const [i, write] of [...updates, ...creates].entries()) {
    const outcome = outcomes[i];
    if (outcome?.ok || write.index === undefined) continue;
    const errors = outcome?.errors.length ? describeApiErrors(outcome.errors) : 'Salesforce gave no result for the record';
    results.set(write.index, { status: 'rejected', error: `${write.record.objectName}: ${errors}` });
  }
  return { ok: true, value: results };
}
