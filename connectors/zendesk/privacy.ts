import type { ErasureLink, ErasureOutcome, Installation, PrivacyTarget } from '../../core/connectors/contract';
import { accountBaseUrl } from './client';
import { errorFromResponse, networkError, type ZendeskError, type ZendeskResult } from './client/errors';
import { linkTypes } from './map-event-to-resource';
import { withRestToken } from './rest-token';
import { zendeskApiBase, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

type ZendeskInstallation = Installation<ZendeskConfig, ZendeskCredentials>;

const timeoutMs = 10_000;
const retryableCodes = new Set<ZendeskError['code']>(['RATE_LIMITED', 'PLATFORM_UNAVAILABLE', 'BAD_RESPONSE', 'CONFLICT']);

/** One DELETE with the REST token; 404 is "already gone", which an erasure counts as done. */
async function deleteRecord(installation: ZendeskInstallation, path: string): Promise<ZendeskResult<'deleted' | 'gone'>> {
  const url = `${accountBaseUrl(zendeskApiBase(), installation.config.subdomain)}/api/v2/${path}`;
  return withRestToken(installation, async (token) => {
    let res: Response;
    try {
      res = await fetch(url, { method: 'DELETE', headers: { Accept: 'application/json', Authorization: `Bearer ${token}` }, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      return { ok: false, error: networkError(err) };
    }
    const text = await res.text();
    if (res.status === 404) return { ok: true, value: 'gone' };
    if (res.status >= 200 && res.status < 300) return { ok: true, value: 'deleted' };
    return { ok: false, error: errorFromResponse(res.status, res.headers.get('retry-after'), parseJson(text) ?? text) };
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Soft delete, then permanent delete from the deleted list: only then is the record gone for good. */
async function deleteForGood(installation: ZendeskInstallation, kind: 'tickets' | 'users', id: string): Promise<ZendeskResult<void>> {
  const soft = await deleteRecord(installation, `${kind}/${id}.json`);
  if (!soft.ok) return soft;
  const permanent = await deleteRecord(installation, `deleted_${kind}/${id}.json`);
  return permanent.ok ? { ok: true, value: undefined } : permanent;
}

/**
 * Forgets a customer in a Zendesk account: every ticket of their conversations is deleted permanently (its
 * comments, the messages pushed through the Channel framework, go with it), then their requester user
 * (soft delete, then permanent delete: Zendesk's GDPR path, which also removes identities). Both need a REST
 * token with `tickets:write` and `users:write` (or `write`).
 */
async function eraseContact(installation: ZendeskInstallation, links: readonly ErasureLink[]): Promise<ErasureOutcome> {
  const steps: string[] = [];
  const ids = (type: string) => [...new Set(links.filter((l) => l.externalType === type && /^\d+$/.test(l.externalId)).map((l) => l.externalId))];
  for (const [kind, type] of [['tickets', linkTypes.ticket], ['users', linkTypes.user]] as const) {
    const found = ids(type);
    for (const id of found) {
      const deleted = await deleteForGood(installation, kind, id);
      if (!deleted.ok) {
        return { ok: false, steps, retryable: retryableCodes.has(deleted.error.code), error: `Zendesk ${deleted.error.code} deleting ${kind} ${id}: ${deleted.error.message}` };
      }
    }
    if (found.length > 0) steps.push(`permanently deleted ${found.length} ${kind}`);
  }
  return { ok: true, steps };
}

export const zendeskPrivacy: PrivacyTarget<ZendeskConfig, ZendeskCredentials> = { eraseContact };
