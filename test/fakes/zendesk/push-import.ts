import type { FakeAccount, FakeTicket, PushInstance } from './fake-account';
import type { ExternalResource, PushResult } from './push-schema';

export type ResourceEventType = 'comment_on_new_ticket' | 'comment_on_existing_ticket' | 'comment_on_follow_up_ticket';

export interface ResourceEvent {
  type_id: ResourceEventType;
  external_id: string;
  ticket_id: number;
  comment_id: number;
  follow_up_ticket_id?: number;
}

/**
 * Imports resources in order as the Channel framework does (§1.4, §1.9): idempotent on external_id,
 * threaded by thread_id or parent_id, a closed thread's ticket followed up by a new one; after the first
 * failure the rest are `halted`. Returns one result per resource, same order, and the created resources.
 */
export function importResources(account: FakeAccount, resources: readonly ExternalResource[]): { results: PushResult[]; events: ResourceEvent[] } {
  const results: PushResult[] = [];
  const events: ResourceEvent[] = [];
  let failed = false;
  for (const resource of resources) {
    const id = resource.external_id;
    if (failed) {
      results.push({ external_resource_id: id, status: { code: 'halted', description: 'Not processed because an earlier resource failed' } });
      continue;
    }
    if (account.resources.has(id)) {
      results.push({ external_resource_id: id, status: { code: 'already_imported' } });
      continue;
    }
    const scripted = account.scriptedItemErrors.get(id);
    if (scripted !== undefined || (resource.parent_id !== undefined && resource.thread_id !== undefined)) {
      account.scriptedItemErrors.delete(id);
      failed = true;
      const description = scripted ?? 'A resource may have parent_id or thread_id, not both';
      results.push({ external_resource_id: id, status: { code: 'processing_error', description } });
      continue;
    }
    const parent = resource.parent_id === undefined ? undefined : account.resources.get(resource.parent_id);
    if (resource.parent_id !== undefined && !parent) {
      failed = true;
      results.push({ external_resource_id: id, status: { code: 'could_not_locate_parent_external_resource' } });
      continue;
    }
    events.push(importOne(account, resource, parent?.ticketId));
    results.push({ external_resource_id: id, status: { code: 'success' } });
  }
  return { results, events };
}

function importOne(account: FakeAccount, resource: ExternalResource, parentTicketId: number | undefined): ResourceEvent {
  const author = account.userByExternalId(resource.author.external_id) ?? account.addUser({ name: resource.author.name ?? resource.author.external_id, external_id: resource.author.external_id });
  const threadTicket = resource.thread_id === undefined ? undefined : account.ticketForThread(resource.thread_id);
  const existing = parentTicketId === undefined ? threadTicket : account.tickets.get(parentTicketId);
  let type: ResourceEventType = 'comment_on_existing_ticket';
  let ticket = existing;
  if (!ticket || ticket.status === 'closed') {
    type = ticket ? 'comment_on_follow_up_ticket' : 'comment_on_new_ticket';
    ticket = createTicket(account, resource, author.id, ticket?.id ?? null);
  } else if (!resource.internal_note && author.id === ticket.requester_id && ticket.status !== 'new') {
    // An end user's comment reopens a pending, on-hold or solved ticket.
    ticket.status = 'open';
  }
  if (resource.thread_id !== undefined) account.threads.set(resource.thread_id, ticket.id);
  ticket.updated_at = account.timestamp();
  const commentId = account.id();
  account.comments.push({
    id: commentId,
    ticket_id: ticket.id,
    author_id: author.id,
    body: resource.message,
    html_body: resource.html_message ?? null,
    public: resource.internal_note !== true,
    created_at: resource.created_at,
    file_urls: resource.file_urls ?? [],
    external_id: resource.external_id,
  });
  account.resources.set(resource.external_id, { externalId: resource.external_id, ticketId: ticket.id, commentId });
  const event: ResourceEvent = { type_id: type, external_id: resource.external_id, ticket_id: type === 'comment_on_follow_up_ticket' && existing ? existing.id : ticket.id, comment_id: commentId };
  if (type === 'comment_on_follow_up_ticket') event.follow_up_ticket_id = ticket.id;
  return event;
}

/** Ticket `fields` apply only here, at creation (§1.4): system fields by English name, custom ones by id. */
function createTicket(account: FakeAccount, resource: ExternalResource, requesterId: number, followUpOf: number | null): FakeTicket {
  const at = account.timestamp();
  const ticket: FakeTicket = {
    id: account.id(),
    subject: resource.message.slice(0, 80),
    status: 'new',
    priority: null,
    tags: [],
    group_id: null,
    requester_id: requesterId,
    via_followup_source_id: followUpOf,
    custom_fields: [],
    created_at: at,
    updated_at: at,
  };
  for (const field of resource.fields ?? []) {
    if (field.id === 'subject' && typeof field.value === 'string') ticket.subject = field.value;
    else if (field.id === 'tags' && Array.isArray(field.value)) ticket.tags = field.value.filter((t): t is string => typeof t === 'string');
    else ticket.custom_fields.push({ id: field.id, value: field.value });
  }
  account.tickets.set(ticket.id, ticket);
  return ticket;
}

/** The `resources_created_from_external_ids` event callback for one push (§1.8). */
export function resourcesCreatedEvent(account: FakeAccount, instance: PushInstance, requestId: string | undefined, events: ResourceEvent[], at: string) {
  return {
    type_id: 'resources_created_from_external_ids',
    timestamp: at,
    subdomain: account.subdomain,
    integration_name: instance.integrationName,
    integration_id: instance.instancePushId,
    data: { request_id: requestId ?? null, resource_events: events },
  };
}
