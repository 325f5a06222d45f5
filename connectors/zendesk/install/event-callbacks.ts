import { z } from 'zod';
import type { ExternalLinkWrite } from '../../../core/connectors/contract';
import { uninstallConnector } from '../../../core/connectors/installations';
import type { Logger } from '../../../core/observability/logger';
import { eventsOfRequest } from '../../../core/sync/events-of-request';
import { linkTypes } from '../map-event-to-resource';
import { claimedInstallationId, verifyInstallationMetadata } from '../metadata';
import { parseRequestId, verifyRequestId } from '../request-id';
import { zendeskApiBase } from '../zendesk-settings';
import type { ZendeskRouteDeps } from './install-deps';
import { validatePushToken } from './validate-push-token';
import { loadZendeskInstallation, zendeskInstallationsOf, type ZendeskInstallation } from './zendesk-installation';

/** message → the Zendesk comment id, from `resources_created_from_external_ids`. */
export const COMMENT_LINK_TYPE = 'zendesk_comment';

/** The common envelope of every event (reference §1.8); `data` is read per type below. */
export const callbackEvent = z.object({
  type_id: z.string().min(1),
  timestamp: z.string().optional(),
  subdomain: z.string().min(1),
  integration_name: z.string().nullish(),
  integration_id: z.string().nullish(),
  data: z.unknown(),
  error: z.string().nullish(),
});
export type CallbackEvent = z.infer<typeof callbackEvent>;

const resourcesCreated = z.object({
  request_id: z.string().nullish(),
  resource_events: z.array(z.object({
    type_id: z.string(),
    external_id: z.string().min(1),
    ticket_id: z.number().int().positive(),
    comment_id: z.number().int().positive().optional(),
    follow_up_ticket_id: z.number().int().positive().optional(),
  })),
});
const withMetadata = z.object({ metadata: z.string().max(5_000).nullish() });

export type EventOutcome = 'linked' | 'uninstalled' | 'recorded' | 'ignored' | 'unauthenticated' | 'invalid' | 'failed';

/**
 * One event of a callback batch. Nothing here trusts the sender: a resource event must carry a request id
 * signed with the installation's key, a lifecycle event that installation's signed metadata, and an app
 * uninstall (subdomain only) is confirmed with Zendesk before anything is removed.
 */
export async function handleCallbackEvent(deps: ZendeskRouteDeps, event: CallbackEvent, logger: Logger): Promise<EventOutcome> {
  switch (event.type_id) {
    case 'resources_created_from_external_ids':
      return linkResources(deps, event, logger);
    case 'destroy_integration_instance':
    case 'deactivate_integration_instance':
    case 'activate_integration_instance':
    case 'create_integration_instance':
      return instanceLifecycle(deps, event, logger);
    case 'destroy_integration':
      return appUninstalled(deps, event, logger);
    default:
      // create_integration, pull_request, channelback, destroy_user_identity: nothing for us to do.
      logger.debug({ type: event.type_id, subdomain: event.subdomain }, 'Zendesk event callback not acted on');
      return 'ignored';
  }
}

async function linkResources(deps: ZendeskRouteDeps, event: CallbackEvent, logger: Logger): Promise<EventOutcome> {
  const data = resourcesCreated.safeParse(event.data);
  if (!data.success) return 'invalid';
  const claim = parseRequestId(data.data.request_id);
  const outbox: { installation_id: string } | undefined = claim && await deps.db('sync_outbox').where({ id: claim.outboxId }).first('installation_id');
  const installation = outbox && await loadZendeskInstallation(deps, outbox.installation_id);
  if (!claim || !installation || !verifyRequestId(claim, installation.id, installation.credentials.metadataKey) || !sameAccount(installation, event)) {
    logger.warn({ requestId: data.data.request_id ?? null, subdomain: event.subdomain }, 'Zendesk resources_created callback with a request id we did not sign: ignored');
    return 'unauthenticated';
  }
  // Read from the push's own outbox rows: the callback may overtake the recording of the push's outcome.
  const byExternalId = await eventsOfRequest(deps.db, installation.id, claim.outboxId, data.data.resource_events.map((r) => r.external_id));
  const writes: ExternalLinkWrite[] = [];
  for (const resource of data.data.resource_events) {
    const pushed = byExternalId.get(resource.external_id);
    if (!pushed) {
      logger.warn({ externalId: resource.external_id, installationId: installation.id }, 'Zendesk created a resource this push did not carry');
      continue;
    }
    // A follow-up of a closed ticket is where the conversation continues from now on.
    const ticketId = resource.follow_up_ticket_id ?? resource.ticket_id;
    writes.push({ entityType: 'conversation', entityId: pushed.conversationId, externalType: linkTypes.ticket, externalId: String(ticketId) });
    // A message's own comment; a failure's private note is a comment too, but not the message's.
    const isMessageComment = pushed.type === 'message.inbound' || pushed.type === 'message.outbound';
    if (resource.comment_id !== undefined && pushed.messageId !== null && isMessageComment) {
      writes.push({ entityType: 'message', entityId: pushed.messageId, externalType: COMMENT_LINK_TYPE, externalId: String(resource.comment_id) });
    }
  }
  await deps.saveLinks(installation.workspaceId, installation.id, writes);
  return 'linked';
}

async function instanceLifecycle(deps: ZendeskRouteDeps, event: CallbackEvent, logger: Logger): Promise<EventOutcome> {
  const data = withMetadata.safeParse(event.data);
  if (!data.success) return 'invalid';
  const metadata = data.data.metadata ?? undefined;
  const claimed = claimedInstallationId(metadata);
  const installation = claimed === undefined ? undefined : await loadZendeskInstallation(deps, claimed);
  if (!installation || !verifyInstallationMetadata(metadata, installation.id, installation.credentials.metadataKey) || !sameAccount(installation, event)) {
    logger.warn({ type: event.type_id, subdomain: event.subdomain }, 'Zendesk lifecycle callback with metadata that does not verify: ignored');
    return 'unauthenticated';
  }
  const actor = `zendesk:${event.subdomain}`;
  if (event.type_id === 'destroy_integration_instance') {
    await uninstallConnector(deps.db, installation.workspaceId, installation.id, actor);
    logger.info({ installationId: installation.id }, 'Zendesk integration account deleted: uninstalled');
    return 'uninstalled';
  }
  // Activation changes nothing here: a deactivated account's pushes are refused by Zendesk and retried, then replayable.
  await deps.audit({ workspaceId: installation.workspaceId, actor, action: `zendesk.${event.type_id}`, entityType: 'installation', entityId: installation.id });
  logger.info({ installationId: installation.id, type: event.type_id }, 'Zendesk integration account lifecycle event');
  return 'recorded';
}

/**
 * `destroy_integration` (the app was uninstalled) names only a subdomain, which anyone can type: each of its
 * installations is removed only once Zendesk itself refuses that installation's push token.
 */
async function appUninstalled(deps: ZendeskRouteDeps, event: CallbackEvent, logger: Logger): Promise<EventOutcome> {
  let removed = 0;
  for (const installation of await zendeskInstallationsOf(deps, event.subdomain)) {
    const check = await validatePushToken({ apiBase: zendeskApiBase(), timeoutMs: 5_000 }, installation.config.subdomain, installation.credentials.pushToken, installation.config.instancePushId);
    if (check.ok || (check.error.code !== 'UNAUTHORIZED' && check.error.code !== 'FORBIDDEN')) {
      logger.warn({ installationId: installation.id, subdomain: event.subdomain, confirmed: check.ok ? 'token still valid' : check.error.code }, 'destroy_integration not confirmed by Zendesk: installation kept');
      continue;
    }
    await uninstallConnector(deps.db, installation.workspaceId, installation.id, `zendesk:${event.subdomain}`);
    removed += 1;
  }
  return removed > 0 ? 'uninstalled' : 'ignored';
}

/** A signature of one account's installation does not vouch for an event about another account. */
function sameAccount(installation: ZendeskInstallation, event: CallbackEvent): boolean {
  return installation.config.subdomain === event.subdomain;
}
