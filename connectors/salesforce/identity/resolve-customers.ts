import type { DeliverContext, LinkStore } from '../../../core/connectors/contract';
import type { Logger } from '../../../core/observability/logger';
import { e164Of } from '../../../core/whatsapp/phone-number';
import { callSalesforce, type SalesforceInstallation } from '../client/salesforce-call';
import { salesforceLinkTypes } from '../link-types';
import type { SalesforceError, SalesforceResult } from '../salesforce-result';
import { isRecordError } from '../sync/batch-error';
import { packagedFields } from '../sync/package-names';
import type { Customer } from './customer';
import { findByNumbers, type FoundPerson, type PersonType } from './find-by-number';

/** The Salesforce person a WhatsApp customer is. */
export interface Person {
  type: PersonType;
  id: string;
}

/** Per customer: their person, none (no match and creating Leads is off), or Salesforce refused what they needed. */
export type Resolution = { kind: 'person'; person: Person } | { kind: 'none'; reason: string } | { kind: 'refused'; error: SalesforceError };

/** The person a Threadline contact is already mapped to (§3.1 step 1): a Contact wins over a Lead. */
export function mappedPerson(links: Readonly<Record<string, string>> | undefined): Person | undefined {
  const contact = links?.[salesforceLinkTypes.contact];
  if (contact !== undefined) return { type: 'Contact', id: contact };
  const lead = links?.[salesforceLinkTypes.lead];
  return lead === undefined ? undefined : { type: 'Lead', id: lead };
}

/**
 * The Contact or Lead of each customer not mapped yet (issue 6 item 3, reference §3.1), without duplicates:
 * the numbers are looked up for the whole batch at once (findByNumbers), then each customer is settled under a
 * PostgreSQL advisory lock on this installation and contact (`ctx.exclusive`), so concurrent jobs and processes
 * wait there: the mapping again (another job may have just linked one), then the match, then, when
 * `createLeads`, a new Lead. The mapping commits with the lock, so the next message needs no search (SOSL's index
 * lags 15 minutes); a match gets WhatsApp_E164__c written for the same reason. Business-scoped users without a
 * number are mapped by their contact only: there is nothing to search.
 * A spent quota, a dead session or an outage is the result's error: the whole batch waits.
 */
export async function resolveCustomers(
  installation: SalesforceInstallation, customers: readonly Customer[], ctx: DeliverContext,
): Promise<SalesforceResult<Map<string, Resolution>>> {
  const { exclusive } = ctx;
  if (exclusive === undefined) return { ok: false, error: { code: 'PLATFORM_UNAVAILABLE', message: 'The sync engine gave no lock to resolve Salesforce people under' } };
  const matches = await findByNumbers(installation, customers.flatMap((c) => (c.waId === null ? [] : [c.waId])));
  if (!matches.ok) return matches;
  const resolutions = new Map<string, Resolution>();
  for (const customer of customers) {
    const match = customer.waId === null ? undefined : matches.value.get(customer.waId);
    const settled = await exclusive(`contact:${customer.contactId}`, (links) => settle(installation, customer, match, links, ctx.logger));
    if (!settled.ok) return settled;
    resolutions.set(customer.contactId, settled.value);
  }
  return { ok: true, value: resolutions };
}

async function settle(
  installation: SalesforceInstallation, customer: Customer, match: FoundPerson | undefined, links: LinkStore, logger: Logger,
): Promise<SalesforceResult<Resolution>> {
  const mapped = mappedPerson(await links.read('contact', customer.contactId));
  if (mapped !== undefined) return { ok: true, value: { kind: 'person', person: mapped } };
  const e164 = customer.waId === null ? undefined : e164Of(customer.waId);
  let person: Person;
  if (match !== undefined) {
    if (!match.normalised && e164 !== undefined) {
      const normalised = await callSalesforce(installation, (conn) => conn.sobject(match.type).update({ Id: match.id, ...packagedFields(installation.config.namespace, { WhatsApp_E164__c: e164 }) }));
      if (!normalised.ok && !isRecordError(normalised.error)) return normalised;
      // The match stands without it (the mapping finds it next time); the admin sees why in the log.
      if (!normalised.ok) logger.warn({ record: match.id, error: normalised.error.message }, 'Salesforce refused WhatsApp_E164__c on a matched record');
    }
    person = { type: match.type, id: match.id };
  } else if (installation.config.createLeads) {
    const created = await createLead(installation, customer, e164);
    if (!created.ok) return isRecordError(created.error) ? { ok: true, value: { kind: 'refused', error: created.error } } : created;
    person = { type: 'Lead', id: created.value };
  } else {
    return { ok: true, value: { kind: 'none', reason: 'no Contact or Lead has this WhatsApp number, and creating Leads is off for this org' } };
  }
  await links.save([{ entityType: 'contact', entityId: customer.contactId, externalType: person.type === 'Contact' ? salesforceLinkTypes.contact : salesforceLinkTypes.lead, externalId: person.id }]);
  return { ok: true, value: { kind: 'person', person } };
}

/**
 * A Lead for a number nothing matched (§3.1 step 5). LeadSource "WhatsApp" is set where the org's picklist takes it:
 * an org that restricts LeadSource without that value gets the Lead without a source rather than none.
 */
async function createLead(installation: SalesforceInstallation, customer: Customer, e164: string | undefined): Promise<SalesforceResult<string>> {
  const { namespace, leadCompany } = installation.config;
  const fields: Record<string, unknown> = {
    LastName: (customer.name ?? (e164 ? `WhatsApp ${e164}` : 'WhatsApp customer')).slice(0, 80),
    Company: leadCompany,
    ...(e164 ? { MobilePhone: e164, ...packagedFields(namespace, { WhatsApp_E164__c: e164 }) } : {}),
  };
  const withSource = await insert(installation, 'Lead', { ...fields, LeadSource: 'WhatsApp' });
  const sourceRefused = !withSource.ok && withSource.error.errors?.some((e) => e.errorCode === 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' && e.fields.includes('LeadSource'));
  return sourceRefused ? insert(installation, 'Lead', fields) : withSource;
}

async function insert(installation: SalesforceInstallation, objectName: string, fields: Record<string, unknown>): Promise<SalesforceResult<string>> {
  const created = await callSalesforce(installation, (conn) => conn.sobject(objectName).create(fields));
  if (!created.ok) return created;
  return created.value.success ? { ok: true, value: created.value.id } : { ok: false, error: { code: 'BAD_RESPONSE', message: `Salesforce did not create the ${objectName}` } };
}
