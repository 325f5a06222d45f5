import type { BatchOutcome, DeliverContext, EventResult, ExternalLinkWrite, Installation, SyncEvent } from '../../core/connectors/contract';
import { pushExternalResources, type ExternalResourceInput, type PushItemResult, type ZendeskError } from './client';
import { linkTypes, mapEventToResource, requesterOf } from './map-event-to-resource';
import { signRequestId } from './request-id';
import { ensureRequesters } from './requesters';
import { applyTicketChange, ticketChangeOf } from './ticket-changes';
import { zendeskApiBase, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

const pushTimeoutMs = 20_000;

/**
 * One engine batch (≤ 100 events) as one Push API call, after the requesters of new customers are set up
 * (`ensureRequesters`). Each item's result is read, not just the HTTP 200 (reference §1.4): imported (or
 * already_imported: pushes are idempotent on external_id, the event's wamid-based id) → delivered;
 * processing_error/halted → retry; a refused resource → rejected. A customer whose requester has to wait
 * holds their conversation: its events from there on are retried, in order. Routed, breached and handed-off
 * conversations change their ticket through the REST API instead (`ticket-changes.ts`), in the same order.
 */
export async function deliverToZendesk(
  installation: Installation<ZendeskConfig, ZendeskCredentials>, events: readonly SyncEvent[], ctx: DeliverContext,
): Promise<BatchOutcome> {
  const { config, credentials } = installation;
  const requesters = await ensureRequesters(installation, events, ctx);
  if (!requesters.ok) return requesters;
  const results: Array<EventResult | undefined> = [];
  const pushed: Array<{ index: number; event: SyncEvent; threadId: string; resources: ExternalResourceInput[] }> = [];
  const inPush = new Set<string>();
  const heldConversations = new Map<string, string>();
  for (const [index, event] of events.entries()) {
    const contactId = customerContactId(event);
    const held = heldConversations.get(event.conversationId) ?? (contactId === undefined ? undefined : requesters.held.get(contactId));
    if (held !== undefined) {
      heldConversations.set(event.conversationId, held);
      results[index] = { status: 'retry', error: held };
      continue;
    }
    const planned = ticketChangeOf(event);
    if (planned !== undefined) {
      // Applied now, in the conversation's order: a push failing later redelivers it, which writes nothing twice.
      const applied = await applyTicketChange(installation, event, planned, ctx);
      if (!applied.ok) return { ok: false, error: batchError(applied.rateLimited) };
      results[index] = applied.result;
      if (applied.result.status === 'retry' || applied.result.status === 'rejected') {
        heldConversations.set(event.conversationId, `waits for an earlier event of its conversation (${applied.result.error})`);
      }
      continue;
    }
    const mapped = mapEventToResource(event, config);
    if (mapped.kind === 'skip') results[index] = { status: 'skipped', reason: mapped.reason };
    else {
      // An earlier event of this push opens the conversation's ticket; Zendesk imports in order.
      const opener = inPush.has(event.conversationId) ? undefined : mapped.opener;
      inPush.add(event.conversationId);
      pushed.push({ index, event, threadId: mapped.threadId, resources: opener === undefined ? [mapped.resource] : [opener, mapped.resource] });
    }
  }
  if (pushed.length === 0) return { ok: true, results: events.map((_, i) => results[i] ?? { status: 'retry', error: 'not mapped' }) };

  const outcome = await pushExternalResources(
    { apiBase: zendeskApiBase(), clientId: 'unused-for-push', clientSecret: 'unused-for-push', timeoutMs: pushTimeoutMs },
    {
      subdomain: config.subdomain,
      pushToken: credentials.pushToken,
      instancePushId: config.instancePushId,
      // Event callbacks name it (§1.8); ≤ 60 chars so a split keeps it ≤ 64.
      requestId: signRequestId(installation.id, pushed[0]?.event.outboxId ?? 0, pushed.length, credentials.metadataKey),
      resources: pushed.flatMap((p) => p.resources),
    },
  );
  if (!outcome.ok) {
    ctx.logger.warn({ code: outcome.error.code, status: outcome.error.status }, 'Zendesk push failed');
    return { ok: false, error: batchError(outcome.error) };
  }
  const byExternalId = new Map<string, PushItemResult>(outcome.items.map((item) => [item.externalId, item]));
  const userLinks = new Map(requesters.links);
  for (const p of pushed) {
    const result = itemResult(p.event, p.threadId, p.resources.map((r) => byExternalId.get(r.external_id)));
    // The contact → user link rides on the customer's first delivered message: saved only if the push took.
    const contactId = customerContactId(p.event);
    const userLink = contactId === undefined ? undefined : userLinks.get(contactId);
    if (result.status === 'delivered' && userLink) {
      userLinks.delete(userLink.entityId);
      results[p.index] = { status: 'delivered', links: [...(result.links ?? []), userLink] };
    } else results[p.index] = result;
  }
  return { ok: true, results: events.map((_, i) => results[i] ?? { status: 'retry', error: 'Zendesk did not answer for this event' }) };
}

/** The contact of the customer an event makes a requester of: the one a requester is set up for. */
function customerContactId(event: SyncEvent): string | undefined {
  return requesterOf(event)?.contactId;
}

/** The event's result from its resources' items: the first that did not import, else its own (the last). */
function itemResult(event: SyncEvent, threadId: string, items: ReadonlyArray<PushItemResult | undefined>): EventResult {
  const item = items.find((i) => i === undefined || i.outcome !== 'imported') ?? items.at(-1);
  if (item === undefined) return { status: 'retry', error: 'Zendesk did not answer for this event' };
  const detail = `${item.code}${item.description ? `: ${item.description}` : ''}`;
  if (item.outcome === 'retry') return { status: 'retry', error: `Zendesk push: ${detail}` };
  if (item.outcome === 'rejected') return { status: 'rejected', error: `Zendesk push: ${detail}` };
  // The push answer has no ticket id (it comes with the resources_created_from_external_ids callback),
  // so what is saved is the thread the ticket is keyed by and the comment's external id.
  const links: ExternalLinkWrite[] = [{ entityType: 'conversation', entityId: event.conversationId, externalType: linkTypes.thread, externalId: threadId }];
  if (event.messageId !== null && event.type !== 'message.failed') {
    links.push({ entityType: 'message', entityId: event.messageId, externalType: linkTypes.resource, externalId: item.externalId });
  }
  return { status: 'delivered', links };
}

/**
 * A whole push that failed. A 401/403 keeps its own code in the message: the push token is minted by
 * Zendesk when an admin opens the integration account (the admin UI stores the new one), not refreshable
 * here, so until then the events back off and end as replayable dead letters.
 */
function batchError(error: ZendeskError): NonNullable<Extract<BatchOutcome, { ok: false }>['error']> {
  const message = `${error.code}: ${error.message}`;
  switch (error.code) {
    case 'RATE_LIMITED':
      return { code: 'RATE_LIMITED', message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
      return { code: 'PLATFORM_UNAVAILABLE', message: `ZENDESK_${error.code}: the push token was refused (HTTP ${error.status ?? '?'}); re-authorise the Zendesk integration. ${error.message}` };
    case 'UNPROCESSABLE':
      return { code: 'BATCH_REJECTED', message };
    default:
      return { code: 'PLATFORM_UNAVAILABLE', message };
  }
}
