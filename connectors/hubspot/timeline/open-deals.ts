import { openDealsOf } from '../client/crm';
import type { CallOptions, HubSpotInstallation } from '../client/hubspot-call';
import type { HubSpotResult } from '../hubspot-result';

/**
 * A contact's open deals change rarely next to how often their messages are logged: read (two requests
 * for a whole batch's contacts) and kept per process for a few minutes, so a busy conversation does not
 * cost two requests per batch. A deal opened meanwhile is associated from the next read on.
 */
const ttlMs = 5 * 60_000;
const maxEntries = 10_000;
const cache = new Map<string, { dealIds: string[]; at: number }>();

export async function openDealsCached(
  installation: HubSpotInstallation, contactIds: readonly string[], options?: CallOptions, now: () => number = Date.now,
): Promise<HubSpotResult<Map<string, string[]>>> {
  const key = (contactId: string) => `${installation.config.portalId}:${contactId}`;
  const found = new Map<string, string[]>();
  const wanted = [...new Set(contactIds)].filter((id) => {
    const hit = cache.get(key(id));
    if (hit && now() - hit.at < ttlMs) found.set(id, hit.dealIds);
    return !found.has(id);
  });
  if (wanted.length === 0) return { ok: true, value: found };
  const read = await openDealsOf(installation, wanted, options);
  if (!read.ok) return read;
  for (const [contactId, dealIds] of read.value) {
    found.set(contactId, dealIds);
    cache.delete(key(contactId));
    cache.set(key(contactId), { dealIds, at: now() });
  }
  while (cache.size > maxEntries) {
    const oldest = cache.keys().next();
    if (oldest.done) break;
    cache.delete(oldest.value);
  }
  return { ok: true, value: found };
}

/** Forgets what is known of these contacts' deals (one was closed or deleted since: HubSpot refused it). */
export function forgetOpenDeals(installation: HubSpotInstallation, contactIds: readonly string[]): void {
  for (const id of contactIds) cache.delete(`${installation.config.portalId}:${id}`);
}
