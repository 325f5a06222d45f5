import { z } from 'zod';
import type { EventResult } from '../../../core/connectors/contract';
import type { SalesforceConfig } from '../salesforce-settings';
import type { AutomationBatch } from './automation-events';
import { packaged } from './package-names';

/** `conversation.routed` data (core/automation/route-conversation.ts): the team with its Salesforce place. */
const routedData = z.object({
  team: z.object({
    key: z.string(),
    salesforce: z.object({ queueId: z.string().optional(), ownerId: z.string().optional() }).optional(),
  }),
});

/** A record routing gives a new owner: the Case or the conversation record, and the events that asked for it. */
export interface OwnerChange {
  objectName: string;
  recordId: string;
  ownerId: string;
  indexes: number[];
}

/**
 * Where each routed conversation lands (issue 7 item 2): its current Case gets the team's queue (else its owner)
 * when the org has Cases on, else its WhatsApp_Conversation__c does. A conversation routed twice in a batch takes
 * the last team. Decided events (skipped, rejected) go into `results`; the changes are for one collection call.
 */
export function ownerChanges(config: SalesforceConfig, batch: AutomationBatch, results: Map<number, EventResult>): Map<string, OwnerChange> {
  const changes = new Map<string, OwnerChange>();
  for (const [index, event] of batch.events.entries()) {
    if (event.type !== 'conversation.routed' || !batch.pending(index)) continue;
    const data = routedData.safeParse(event.data);
    if (!data.success) {
      results.set(index, { status: 'rejected', error: `conversation.routed without a team: ${z.prettifyError(data.error)}` });
      continue;
    }
    const { key, salesforce } = data.data.team;
    const ownerId = salesforce?.queueId ?? salesforce?.ownerId;
    const recordId = batch.recordOf.get(event.conversationId);
    if (ownerId === undefined) {
      results.set(index, { status: 'skipped', reason: `team ${key} has no Salesforce queue or owner` });
      continue;
    }
    // The message that precedes it made the record; none means its messages never reached this org (connected since,
    // or a dead letter). Waiting would hold the next message, the one thing that makes the record, behind this event.
    if (recordId === undefined) {
      results.set(index, { status: 'skipped', reason: 'the conversation is not in Salesforce yet' });
      continue;
    }
    const caseId = config.cases.enabled ? batch.caseOf.get(recordId) : undefined;
    const target = caseId ?? recordId;
    const change = changes.get(target) ?? { objectName: caseId ? 'Case' : packaged(config.namespace, 'WhatsApp_Conversation__c'), recordId: target, ownerId, indexes: [] };
    change.ownerId = ownerId;
    change.indexes.push(index);
    changes.set(target, change);
  }
  return changes;
}
