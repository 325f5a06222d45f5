import type { BatchOutcome, DeliverContext, EventResult, ExternalLinkWrite, Installation, SyncEvent } from '../../core/connectors/contract';
import { pushExternalResources, type ExternalResourceInput, type PushItemResult, type ZendeskError } from './client';
import { linkTypes, mapEventToResource } from './map-event-to-resource';
import { zendeskApiBase, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

const pushTimeoutMs = 20_000;

/**
 * One engine batch (≤ 100 events) as one Push API call. Each item's result is read, not just the HTTP
 * 200 (reference §1.4): imported (or already_imported: pushes are idempotent on external_id, the event's
 * wamid-based id) → delivered; processing_error/halted → retry; a refused resource → rejected.
 */
export async function deliverToZendesk(
  installation: Installation<ZendeskConfig, ZendeskCredentials>, events: readonly SyncEvent[], ctx: DeliverContext,
): Promise<BatchOutcome> {
  const { config, credentials } = installation;
  const results: Array<EventResult | undefined> = [];
  const pushed: Array<{ index: number; event: SyncEvent; threadId: string; resource: ExternalResourceInput }> = [];
  events.forEach((event, index) => {
    const mapped = mapEventToResource(event, config);
    if (mapped.kind === 'skip') results[index] = { status: 'skipped', reason: mapped.reason };
    else pushed.push({ index, event, threadId: mapped.threadId, resource: mapped.resource });
  });
  if (pushed.length === 0) return { ok: true, results: events.map((_, i) => results[i] ?? { status: 'retry', error: 'not mapped' }) };

  const outcome = await pushExternalResources(
    { apiBase: zendeskApiBase(), clientId: 'unused-for-push', clientSecret: 'unused-for-push', timeoutMs: pushTimeoutMs },
    {
      subdomain: config.subdomain,
      pushToken: credentials.pushToken,
      instancePushId: config.instancePushId,
      // Event callbacks name it (§1.8); ≤ 60 chars so a split keeps it ≤ 64.
      requestId: `tl-${pushed[0]?.event.outboxId ?? 0}-${pushed.length}`,
      resources: pushed.map((p) => p.resource),
    },
  );
  if (!outcome.ok) {
    ctx.logger.warn({ code: outcome.error.code, status: outcome.error.status }, 'Zendesk push failed');
    return { ok: false, error: batchError(outcome.error) };
  }
  const byExternalId = new Map<string, PushItemResult>(outcome.items.map((item) => [item.externalId, item]));
  for (const p of pushed) results[p.index] = itemResult(p.event, p.threadId, byExternalId.get(p.resource.external_id));
  return { ok: true, results: events.map((_, i) => results[i] ?? { status: 'retry', error: 'Zendesk did not answer for this event' }) };
}

function itemResult(event: SyncEvent, threadId: string, item: PushItemResult | undefined): EventResult {
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
 * A whole push that failed. A 401/403 keeps its own code in the message: refreshing or re-minting the push
 * token belongs to the install flow, so until then the events back off and end as replayable dead letters.
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
