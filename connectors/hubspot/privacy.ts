import type { Client } from '@hubspot/api-client';
import type { ErasureLink, ErasureOutcome, PrivacyTarget } from '../../core/connectors/contract';
import { callHubSpot, type HubSpotInstallation } from './client/hubspot-call';
import { maxBatchInputs } from './client/crm';
import { CONTACT_LINK_TYPE, CONVERSATION_CONTACT_LINK_TYPE } from './contact-link';
import type { HubSpotError } from './hubspot-result';
import type { HubSpotConfig, HubSpotCredentials } from './hubspot-settings';
import { timelineLinkTypes } from './timeline/link-types';

/** Waiting helps these; the others need an admin (a missing scope, a revoked install). */
const retryableCodes = new Set<HubSpotError['code']>(['RATE_LIMITED', 'PLATFORM_UNAVAILABLE', 'BAD_RESPONSE']);

function idsOf(links: readonly ErasureLink[], match: (externalType: string) => boolean): string[] {
  return [...new Set(links.filter((l) => match(l.externalType)).map((l) => l.externalId))];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

/**
 * Forgets a customer in a HubSpot portal: the communications and tasks Threadline logged (they hold the messages)
 * are archived, then each contact record they are mapped to is deleted with HubSpot's GDPR delete
 * (`POST /crm/v3/objects/contacts/gdpr-delete`), which removes it permanently and blocks the address from coming
 * back. Archiving what is gone already, or deleting a contact HubSpot no longer has, counts as done.
 */
async function eraseContact(installation: HubSpotInstallation, links: readonly ErasureLink[]): Promise<ErasureOutcome> {
  const steps: string[] = [];
  const failed = (error: HubSpotError): ErasureOutcome => ({ ok: false, steps, retryable: retryableCodes.has(error.code), error: `HubSpot ${error.code}: ${error.message}` });
  const archives = [
    { kind: 'communications', ids: idsOf(links, (t) => t === timelineLinkTypes.communication), archive: (c: Client) => c.crm.objects.communications.batchApi },
    { kind: 'tasks', ids: idsOf(links, (t) => t.startsWith(`${timelineLinkTypes.slaTask}:`)), archive: (c: Client) => c.crm.objects.tasks.batchApi },
  ];
  for (const { kind, ids, archive } of archives) {
    for (const chunk of chunks(ids, maxBatchInputs)) {
      const answer = await callHubSpot(installation, 'api', (c) => archive(c).archive({ inputs: chunk.map((id) => ({ id })) }));
      if (!answer.ok) return failed(answer.error);
    }
    if (ids.length > 0) steps.push(`archived ${ids.length} ${kind}`);
  }
  const contacts = idsOf(links, (t) => t === CONTACT_LINK_TYPE || t === CONVERSATION_CONTACT_LINK_TYPE);
  let gone = 0;
  for (const objectId of contacts) {
    const answer = await callHubSpot(installation, 'api', (c) => c.crm.contacts.basicApi.purge({ objectId }));
    if (!answer.ok && answer.error.code !== 'NOT_FOUND') return failed(answer.error);
    if (!answer.ok) gone += 1;
  }
  if (contacts.length > 0) steps.push(`GDPR-deleted ${contacts.length - gone} contacts${gone > 0 ? ` (${gone} already gone)` : ''}`);
  return { ok: true, steps };
}

export const hubspotPrivacy: PrivacyTarget<HubSpotConfig, HubSpotCredentials> = { eraseContact };
