import { z } from 'zod';
import type { DeliverContext, SyncEvent } from '../../../core/connectors/contract';
import { handoffText, type HandoffToPerson } from '../../../core/sync/handoff-event';
import { createTask, readContacts, type Properties } from '../client/crm';
import type { CallOptions, HubSpotInstallation } from '../client/hubspot-call';
import type { HubSpotResult } from '../hubspot-result';
import { timelineLinkTypes } from './link-types';
import { html } from './render-body';

/**
 * What automation tells HubSpot (issue 7 items 2, 4 and 5): a conversation routed to a team gives the customer's
 * contact the team's owner and a line on the timeline; a bot's handoff is a note with its reason and transcript; a
 * missed response target, or a trigger's template left unanswered (item 7), becomes a task for the contact's owner. These events name no customer: they land on the
 * contact the conversation is logged on.
 */

const routedData = z.object({
  team: z.object({ key: z.string().min(1), name: z.string().min(1), hubspot: z.object({ ownerId: z.string().regex(/^\d+$/).optional() }).optional() }),
  by: z.string().min(1),
});
const breachData = z.object({
  kind: z.enum(['first_response', 'next_response']),
  team: z.string().min(1).nullable(),
  startedAt: z.iso.datetime({ offset: true }),
  dueAt: z.iso.datetime({ offset: true }),
});
/** `conversation.follow_up_due` data (core/automation/trigger-jobs.ts). */
const followUpData = z.object({ trigger: z.string().min(1), template: z.string().min(1), sentAt: z.iso.datetime({ offset: true }) });
export type Routed = z.infer<typeof routedData>;
export type Breach = z.infer<typeof breachData>;

export function routedOf(event: SyncEvent): Routed | undefined {
  const parsed = routedData.safeParse(event.data);
  return parsed.success ? parsed.data : undefined;
}

/** What an owner's task says; `body` is given who the customer is (name and phone, as the contact has them). */
export interface TaskText {
  subject: string;
  priority: 'HIGH' | 'MEDIUM';
  body: (customer: string) => string;
}

/** The task a missed response target or an unanswered trigger asks of the contact's owner; undefined when its data cannot be read. */
export function ownerTaskOf(event: SyncEvent): TaskText | undefined {
  if (event.type === 'conversation.sla_breached') {
    const breach = breachData.safeParse(event.data);
    return breach.success ? overdueTask(breach.data, event.occurredAt) : undefined;
  }
  const followUp = followUpData.safeParse(event.data);
  if (!followUp.success) return undefined;
  const { trigger, template, sentAt } = followUp.data;
  return {
    subject: 'WhatsApp follow-up due', priority: 'MEDIUM',
    body: (customer) => `${customer} has not answered the WhatsApp template ${template} (trigger ${trigger}) sent ${utc(sentAt)}: follow up with them.`,
  };
}

/** The timeline's line for a routed conversation (a communication body, HTML). */
export function renderRoutedNote(routed: Routed): string {
  return `<em>${html(`WhatsApp conversation routed to ${routed.team.name} (${routed.by.replaceAll('_', ' ')})`)}</em>`;
}

/** The timeline's note for a bot's handoff: the reason, then the transcript, escaped line by line. */
export function renderHandoffNote(handoff: HandoffToPerson): string {
  return handoffText(handoff).split('\n').map(html).join('<br>');
}

/** What a task needs of its contact: the owner it is for, and who the customer is. */
export const taskContactProperties = ['hubspot_owner_id', 'firstname', 'lastname', 'phone'] as const;
export type TaskContact = Partial<Record<(typeof taskContactProperties)[number], string | null>>;

export function readTaskContacts(installation: HubSpotInstallation, ids: readonly string[], options?: CallOptions): Promise<HubSpotResult<Map<string, TaskContact>>> {
  return readContacts(installation, [...new Set(ids)], taskContactProperties, options);
}

/** The overdue-reply task, high priority: who waits, since when, and how late. */
export function overdueTask(breach: Breach, breachedAt: Date): TaskText {
  const target = breach.kind === 'first_response' ? 'first reply' : 'next reply';
  const waited = minutes(breachedAt.getTime() - Date.parse(breach.startedAt));
  const late = breachedAt.getTime() - Date.parse(breach.dueAt) >= 60_000 ? `, ${minutes(breachedAt.getTime() - Date.parse(breach.dueAt))} late` : '';
  return {
    subject: 'WhatsApp reply overdue', priority: 'HIGH',
    body: (customer) => `${customer} has waited ${waited} on WhatsApp for a ${target}${breach.team ? ` from ${breach.team}` : ''}: `
      + `since ${utc(breach.startedAt)}, due by ${utc(breach.dueAt)}${late}.`,
  };
}

/**
 * A task for the contact's owner when it has one (else HubSpot leaves it unassigned), due when the event happened
 * (`hs_timestamp`, so it shows as due now).
 */
export function taskProperties(text: TaskText, contact: TaskContact, ownerId: string | undefined, dueAt: Date): Properties {
  const customer = [[contact.firstname, contact.lastname].filter((p) => p).join(' '), contact.phone].filter((p) => p).join(', ') || 'The customer';
  const properties: Properties = {
    hs_task_subject: text.subject, hs_task_body: html(text.body(customer)), hs_timestamp: dueAt.toISOString(),
    hs_task_status: 'NOT_STARTED', hs_task_priority: text.priority, hs_task_type: 'TODO',
  };
  if (ownerId) properties.hubspot_owner_id = ownerId;
  return properties;
}

/**
 * Creates the event's task once: under a lock on the event, the conversation's link for this event is read, and
 * the task created and linked only if there is none. The link commits with the lock, so a batch retried after the
 * task was made (whatever failed later) finds it. [U] A create HubSpot made but whose answer was lost is made again:
 * tasks have no idempotency key in the reference.
 */
export async function createTaskOnce(
  installation: HubSpotInstallation, ctx: DeliverContext, event: SyncEvent, task: { properties: Properties; contactId: string }, options?: CallOptions,
): Promise<HubSpotResult<string>> {
  if (ctx.exclusive === undefined) return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: 'The sync engine gave no lock to create HubSpot tasks under' } };
  const linkType = ownerTaskLinkType(event);
  return ctx.exclusive(linkType, async (links) => {
    const existing = (await links.read('conversation', event.conversationId))[linkType];
    if (existing !== undefined) return { ok: true, value: existing };
    const created = await createTask(installation, task.properties, task.contactId, options);
    if (created.ok) await links.save([{ entityType: 'conversation', entityId: event.conversationId, externalType: linkType, externalId: created.value }]);
    return created;
  });
}

/** One link per task event: its external id (stable across retries and replays) names it. */
export function ownerTaskLinkType(event: SyncEvent): string {
  return `${timelineLinkTypes.slaTask}:${event.externalId}`;
}

function utc(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function minutes(ms: number): string {
  const total = Math.max(0, Math.round(ms / 60_000));
  return total < 60 ? `${total} min` : `${Math.floor(total / 60)} h ${total % 60} min`;
}

export interface OwnerChange {
  index: number;
  contactId: string;
  ownerId: string;
}
export interface OwnerTask {
  index: number;
  contactId: string;
  text: TaskText;
}

/**
 * Walks a batch's owner changes and tasks in event order over the contacts as read: a routing sets the owner
 * (when `routingOwner` lets it), and a later event's task goes to whoever owns the contact by then. Contacts HubSpot
 * no longer has are reported as `missing`.
 */
export function settleOwnersAndTasks(
  owners: readonly OwnerChange[], ownerTasks: readonly OwnerTask[], contacts: ReadonlyMap<string, TaskContact>, routingOwner: 'if_unowned' | 'always', dueAt: (index: number) => Date,
): { ownerUpdates: Array<{ index: number; contactId: string; properties: Properties }>; tasks: Array<{ index: number; contactId: string; properties: Properties }>; missing: Map<number, string> } {
  const ownerOf = new Map([...contacts].map(([id, c]) => [id, c.hubspot_owner_id ?? undefined]));
  const ownerUpdates: Array<{ index: number; contactId: string; properties: Properties }> = [];
  const tasks: Array<{ index: number; contactId: string; properties: Properties }> = [];
  const missing = new Map<number, string>();
  const steps = [...owners.map((o) => ({ index: o.index, owner: o })), ...ownerTasks.map((t) => ({ index: t.index, task: t }))].sort((a, b) => a.index - b.index);
  for (const step of steps) {
    const contactId = 'owner' in step ? step.owner.contactId : step.task.contactId;
    const contact = contacts.get(contactId);
    if (contact === undefined) {
      missing.set(step.index, `the HubSpot contact ${contactId} no longer exists`);
    } else if ('owner' in step) {
      const current = ownerOf.get(contactId);
      if (current !== step.owner.ownerId && (!current || routingOwner === 'always')) {
        ownerUpdates.push({ index: step.index, contactId, properties: { hubspot_owner_id: step.owner.ownerId } });
        ownerOf.set(contactId, step.owner.ownerId);
      }
    } else {
      tasks.push({ index: step.index, contactId, properties: taskProperties(step.task.text, contact, ownerOf.get(contactId), dueAt(step.index)) });
    }
  }
  return { ownerUpdates, tasks, missing };
}
