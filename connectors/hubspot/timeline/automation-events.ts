import { z } from 'zod';
import type { DeliverContext, SyncEvent } from '../../../core/connectors/contract';
import { createTask, readContacts, type Properties } from '../client/crm';
import type { CallOptions, HubSpotInstallation } from '../client/hubspot-call';
import type { HubSpotResult } from '../hubspot-result';
import { timelineLinkTypes } from './link-types';
import { html } from './render-body';

/**
 * What automation tells HubSpot (issue 7 items 2 and 5): a conversation routed to a team gives the customer's
 * contact the team's owner and a line on the timeline; a missed response target becomes a task for the contact's
 * owner. Both events name no customer: they land on the contact the conversation is logged on.
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
export type Routed = z.infer<typeof routedData>;
export type Breach = z.infer<typeof breachData>;

export function routedOf(event: SyncEvent): Routed | undefined {
  const parsed = routedData.safeParse(event.data);
  return parsed.success ? parsed.data : undefined;
}

export function breachOf(event: SyncEvent): Breach | undefined {
  const parsed = breachData.safeParse(event.data);
  return parsed.success ? parsed.data : undefined;
}

/** The timeline's line for a routed conversation (a communication body, HTML). */
export function renderRoutedNote(routed: Routed): string {
  return `<em>${html(`WhatsApp conversation routed to ${routed.team.name} (${routed.by.replaceAll('_', ' ')})`)}</em>`;
}

/** What a task needs of its contact: the owner it is for, and who the customer is. */
export const taskContactProperties = ['hubspot_owner_id', 'firstname', 'lastname', 'phone'] as const;
export type TaskContact = Partial<Record<(typeof taskContactProperties)[number], string | null>>;

export function readTaskContacts(installation: HubSpotInstallation, ids: readonly string[], options?: CallOptions): Promise<HubSpotResult<Map<string, TaskContact>>> {
  return readContacts(installation, [...new Set(ids)], taskContactProperties, options);
}

/**
 * The overdue-reply task: due at the breach (`hs_timestamp`, so it shows as due now), high priority, for the contact's
 * owner when it has one (else HubSpot leaves it unassigned). The body says who waits, since when, and how late.
 */
export function taskProperties(breach: Breach, contact: TaskContact, ownerId: string | undefined, breachedAt: Date): Properties {
  const customer = [[contact.firstname, contact.lastname].filter((p) => p).join(' '), contact.phone].filter((p) => p).join(', ') || 'The customer';
  const target = breach.kind === 'first_response' ? 'first reply' : 'next reply';
  const waited = minutes(breachedAt.getTime() - Date.parse(breach.startedAt));
  const late = breachedAt.getTime() - Date.parse(breach.dueAt) >= 60_000 ? `, ${minutes(breachedAt.getTime() - Date.parse(breach.dueAt))} late` : '';
  const body = `${customer} has waited ${waited} on WhatsApp for a ${target}${breach.team ? ` from ${breach.team}` : ''}: `
    + `since ${utc(breach.startedAt)}, due by ${utc(breach.dueAt)}${late}.`;
  const properties: Properties = {
    hs_task_subject: 'WhatsApp reply overdue', hs_task_body: html(body), hs_timestamp: breachedAt.toISOString(),
    hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'TODO',
  };
  if (ownerId) properties.hubspot_owner_id = ownerId;
  return properties;
}

/**
 * Creates the breach's task once: under a lock on the event, the conversation's link for this event is read, and
 * the task created and linked only if there is none. The link commits with the lock, so a batch retried after the
 * task was made (whatever failed later) finds it. [U] A create HubSpot made but whose answer was lost is made again:
 * tasks have no idempotency key in the reference.
 */
export async function createTaskOnce(
  installation: HubSpotInstallation, ctx: DeliverContext, event: SyncEvent, task: { properties: Properties; contactId: string }, options?: CallOptions,
): Promise<HubSpotResult<string>> {
  if (ctx.exclusive === undefined) return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: 'The sync engine gave no lock to create HubSpot tasks under' } };
  const linkType = slaTaskLinkType(event);
  return ctx.exclusive(linkType, async (links) => {
    const existing = (await links.read('conversation', event.conversationId))[linkType];
    if (existing !== undefined) return { ok: true, value: existing };
    const created = await createTask(installation, task.properties, task.contactId, options);
    if (created.ok) await links.save([{ entityType: 'conversation', entityId: event.conversationId, externalType: linkType, externalId: created.value }]);
    return created;
  });
}

/** One link per breach event: its external id (stable across retries and replays) names it. */
export function slaTaskLinkType(event: SyncEvent): string {
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
export interface BreachTask {
  index: number;
  contactId: string;
  breach: Breach;
}

/**
 * Walks a batch's owner changes and breaches in event order over the contacts as read: a routing sets the owner
 * (when `routingOwner` lets it), and a later breach's task goes to whoever owns the contact by then. Contacts HubSpot
 * no longer has are reported as `missing`.
 */
export function settleOwnersAndTasks(
  owners: readonly OwnerChange[], breaches: readonly BreachTask[], contacts: ReadonlyMap<string, TaskContact>, routingOwner: 'if_unowned' | 'always', breachedAt: (index: number) => Date,
): { ownerUpdates: Array<{ index: number; contactId: string; properties: Properties }>; tasks: Array<{ index: number; contactId: string; properties: Properties }>; missing: Map<number, string> } {
  const ownerOf = new Map([...contacts].map(([id, c]) => [id, c.hubspot_owner_id ?? undefined]));
  const ownerUpdates: Array<{ index: number; contactId: string; properties: Properties }> = [];
  const tasks: Array<{ index: number; contactId: string; properties: Properties }> = [];
  const missing = new Map<number, string>();
  const steps = [...owners.map((o) => ({ index: o.index, owner: o })), ...breaches.map((b) => ({ index: b.index, breach: b }))].sort((a, b) => a.index - b.index);
  for (const step of steps) {
    const contactId = 'owner' in step ? step.owner.contactId : step.breach.contactId;
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
      tasks.push({ index: step.index, contactId, properties: taskProperties(step.breach.breach, contact, ownerOf.get(contactId), breachedAt(step.index)) });
    }
  }
  return { ownerUpdates, tasks, missing };
}
