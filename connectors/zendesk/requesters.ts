import type { BatchError, DeliverContext, ExternalLinkWrite, Installation, SyncEvent } from '../../core/connectors/contract';
import { ZendeskRestClient, type ZendeskError } from './client';
import { linkTypes, requesterOf } from './map-event-to-resource';
import type { CustomerIdentity } from './requester-identity';
import { hasRestToken, withRestToken, type RestTokenOptions } from './rest-token';
import { zendeskApiBase, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

/**
 * New requesters set up per push, each up to three REST calls (create_or_update, identities, add phone)
 * from the account-wide per-minute budget the push shares (§4.7). A burst of new customers beyond it is
 * pushed anyway (the author's external_id is the requester's, so Zendesk puts the comment on the same user)
 * and gets its phone identity with that customer's next message: a batch never needs more than a minute's
 * budget, so a rate limit cannot stall it for good.
 */
export const maxNewRequestersPerPush = 25;
const restTimeoutMs = 10_000;

type ZendeskInstallation = Installation<ZendeskConfig, ZendeskCredentials>;
type Customer = Extract<CustomerIdentity, { kind: 'wa_id' | 'user_id' }> & { contactId: string };

export type Requesters =
  | {
    ok: true;
    /** contact id → its Zendesk user, to save with that contact's first delivered event. */
    links: ReadonlyMap<string, ExternalLinkWrite>;
    /** contact id → why that contact's events wait (retried later, in order). */
    held: ReadonlyMap<string, string>;
  }
  | { ok: false; error: BatchError };

/** Installations already told they have no REST token: said once per process, not once per batch. */
const warnedWithoutToken = new Set<string>();

/**
 * Requesters set up whose link may not be saved yet: a 429 later in the same batch makes the whole batch
 * wait, links included, and its retry reuses these instead of calling Zendesk again. Per process, bounded.
 */
const ensuredUsers = new Map<string, string>();
const maxEnsuredUsers = 10_000;

function rememberUser(key: string, userId: string): void {
  ensuredUsers.set(key, userId);
  const oldest = ensuredUsers.keys().next();
  if (ensuredUsers.size > maxEnsuredUsers && !oldest.done) ensuredUsers.delete(oldest.value);
}

/**
 * Before their first message is pushed, each customer this installation has not linked yet gets a Zendesk
 * user (§4.2): external_id `whatsapp:<wa_id>`, the WhatsApp profile name, a phone identity; the link
 * contact → user makes it once per contact. A 429 makes the whole batch wait (RATE_LIMITED costs no
 * attempt); a refused token holds the customer's events until an admin re-authorises.
 */
export async function ensureRequesters(
  installation: ZendeskInstallation, events: readonly SyncEvent[], ctx: DeliverContext, options: RestTokenOptions = {},
): Promise<Requesters> {
  const links = new Map<string, ExternalLinkWrite>();
  const held = new Map<string, string>();
  const wanted = customersToEnsure(events);
  if (wanted.length === 0) return { ok: true, links, held };
  if (!hasRestToken(installation)) {
    if (!warnedWithoutToken.has(installation.id)) {
      warnedWithoutToken.add(installation.id);
      ctx.logger.warn({ installationId: installation.id }, 'Zendesk REST is not authorised for this installation: requesters get no phone identity until an admin authorises it');
    }
    return { ok: true, links, held };
  }
  const rest = (token: string) => new ZendeskRestClient({ apiBase: zendeskApiBase(), timeoutMs: restTimeoutMs }, installation.config.subdomain, token);
  const link = (contactId: string, userId: string) => links.set(contactId, { entityType: 'contact', entityId: contactId, externalType: linkTypes.user, externalId: userId });
  let calls = 0;
  for (const [i, customer] of wanted.entries()) {
    const remembered = ensuredUsers.get(`${installation.id}:${customer.contactId}`);
    if (remembered !== undefined) {
      link(customer.contactId, remembered);
      continue;
    }
    if (calls === maxNewRequestersPerPush) break;
    calls += 1;
    const key = customer.kind === 'wa_id' ? { waId: customer.waId } : { userId: customer.userId };
    const ensured = await withRestToken(installation, (token) => rest(token).ensureWhatsAppUser({ name: customer.name, ...key }), options);
    if (ensured.ok) {
      rememberUser(`${installation.id}:${customer.contactId}`, String(ensured.value.user.id));
      link(customer.contactId, String(ensured.value.user.id));
      continue;
    }
    const { error } = ensured;
    if (error.code === 'RATE_LIMITED') return { ok: false, error: { code: 'RATE_LIMITED', message: `Zendesk users: ${error.message}`, ...retryAfter(error) } };
    if (error.code === 'UNPROCESSABLE' || error.code === 'NOT_FOUND') {
      // Zendesk refuses this user as we describe it: retrying cannot help, and the push still names the customer.
      ctx.logger.warn({ installationId: installation.id, code: error.code, message: error.message }, 'Zendesk refused a requester; pushing without it');
      continue;
    }
    if (error.code === 'PLATFORM_UNAVAILABLE' || error.code === 'BAD_RESPONSE') {
      return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: `Zendesk users: ${error.code}: ${error.message}` } };
    }
    // UNAUTHORIZED after a refresh, FORBIDDEN (a scope is missing), INVALID_GRANT (the refresh token is dead):
    // every customer still to set up would fail the same way, and only an admin can fix it.
    const reason = reauthoriseMessage(error);
    ctx.logger.warn({ installationId: installation.id, code: error.code }, reason);
    for (const waiting of wanted.slice(i)) held.set(waiting.contactId, reason);
    break;
  }
  return { ok: true, links, held };
}

/** Requesters (`requesterOf`) without a `zendesk_user` link, in the order they first appear. */
function customersToEnsure(events: readonly SyncEvent[]): Customer[] {
  const wanted = new Map<string, Customer>();
  for (const event of events) {
    const customer = requesterOf(event);
    if (customer === undefined || event.links.contact?.[linkTypes.user] !== undefined) continue;
    if (customer.kind === 'contact' || customer.contactId === undefined || wanted.has(customer.contactId)) continue;
    wanted.set(customer.contactId, { ...customer, contactId: customer.contactId });
  }
  return [...wanted.values()];
}

/** Why a conversation waits for an admin: the REST token is refused and cannot be refreshed. */
export function reauthoriseMessage(error: ZendeskError): string {
  const why = error.code === 'FORBIDDEN' ? 'Zendesk says the REST token lacks a scope' : 'Zendesk refused the REST token and its refresh';
  return `ZENDESK_REAUTHORISE: ${why} (${error.code}: ${error.message}); an admin must re-authorise Threadline in Zendesk, then replay these events`;
}

function retryAfter(error: ZendeskError): { retryAfterMs?: number } {
  return error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
}
