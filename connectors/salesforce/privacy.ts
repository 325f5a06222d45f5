import type { ErasureLink, ErasureOutcome, PrivacyTarget } from '../../core/connectors/contract';
import { callSalesforce, type SalesforceInstallation } from './client/salesforce-call';
import { salesforceLinkTypes } from './link-types';
import { describeApiErrors, type SalesforceError, type SalesforceResult } from './salesforce-result';
import type { SalesforceConfig, SalesforceCredentials } from './salesforce-settings';
import { outcomesOf, upsertRecords } from './sync/collections';
import { queryRecords } from './sync/composite';
import { packaged } from './sync/package-names';
import { soqlList } from './sync/soql';

const retryableCodes = new Set<SalesforceError['code']>(['RATE_LIMITED', 'PLATFORM_UNAVAILABLE', 'BAD_RESPONSE']);
/** A record deleted already (by an earlier attempt, or a person) is what we wanted. */
const goneCodes = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);
/** sObject Collections take 200 ids per call (§2.1). */
const perCall = 200;

/** Deletes records of any types by id through `DELETE /composite/sobjects?ids=…` (allOrNone false). */
async function deleteRecords(installation: SalesforceInstallation, ids: readonly string[]): Promise<SalesforceResult<number>> {
  let deleted = 0;
  for (let start = 0; start < ids.length; start += perCall) {
    const chunk = ids.slice(start, start + perCall);
    const query = new URLSearchParams({ ids: chunk.join(','), allOrNone: 'false' });
    const answered = await callSalesforce(installation, (conn) => conn.request({ method: 'DELETE', url: `/services/data/v${conn.version}/composite/sobjects?${query}` }));
    if (!answered.ok) return answered;
    const outcomes = outcomesOf(answered.value, chunk.length, 'records');
    if (!outcomes.ok) return outcomes;
    for (const outcome of outcomes.value) {
      if (outcome.ok) deleted += 1;
      else if (!outcome.errors.every((e) => goneCodes.has(e.errorCode))) {
        return { ok: false, error: { code: 'VALIDATION', message: `Salesforce refused to delete a record: ${describeApiErrors(outcome.errors)}`, errors: outcome.errors } };
      }
    }
  }
  return { ok: true, value: deleted };
}

function idsOf(links: readonly ErasureLink[], match: (externalType: string) => boolean): string[] {
  return [...new Set(links.filter((l) => match(l.externalType)).map((l) => l.externalId))];
}

/**
 * Forgets a customer in a Salesforce org: the packaged records Threadline wrote (WhatsApp_Message__c,
 * WhatsApp_Conversation__c, the daily summary Tasks) are deleted, and so is a Lead Threadline created for them
 * (LeadSource "WhatsApp"). A Contact, or a Lead the org had before, is the org's own record: only the field we
 * wrote on it (WhatsApp_E164__c) is cleared, and the report says it was kept, like the Cases agents worked on.
 */
async function eraseContact(installation: SalesforceInstallation, links: readonly ErasureLink[]): Promise<ErasureOutcome> {
  const steps: string[] = [];
  const failed = (error: SalesforceError): ErasureOutcome => ({ ok: false, steps, retryable: retryableCodes.has(error.code), error: `Salesforce ${error.code}: ${error.message}` });
  const { namespace } = installation.config;
  const ours = idsOf(links, (t) => t === salesforceLinkTypes.message || t === salesforceLinkTypes.conversation || t.startsWith('salesforce_task:'));
  const leads = idsOf(links, (t) => t === salesforceLinkTypes.lead);
  const contacts = idsOf(links, (t) => t === salesforceLinkTypes.contact);
  const cases = idsOf(links, (t) => t === salesforceLinkTypes.case);
  const ourLeads = leads.length === 0 ? { ok: true as const, value: [] } : await queryRecords(installation, `SELECT Id FROM Lead WHERE Id IN ${soqlList(leads)} AND LeadSource = 'WhatsApp'`);
  if (!ourLeads.ok) return failed(ourLeads.error);
  const createdLeads = new Set(ourLeads.value.map((l) => l.Id.slice(0, 15)));
  const leadsToDelete = leads.filter((id) => createdLeads.has(id.slice(0, 15)));
  const deleted = await deleteRecords(installation, [...ours, ...leadsToDelete]);
  if (!deleted.ok) return failed(deleted.error);
  if (ours.length + leadsToDelete.length > 0) steps.push(`deleted ${ours.length} WhatsApp records and tasks, ${leadsToDelete.length} leads Threadline created`);
  const kept: string[] = [];
  const e164 = packaged(namespace, 'WhatsApp_E164__c');
  for (const [objectName, ids] of [['Contact', contacts], ['Lead', leads.filter((id) => !leadsToDelete.includes(id))]] as const) {
    if (ids.length === 0) continue;
    const cleared = await upsertRecords(installation, objectName, 'Id', ids.map((Id) => ({ Id, [e164]: null })));
    if (!cleared.ok) return failed(cleared.error);
    const refused = cleared.value.flatMap((o) => (o.ok || o.errors.every((e) => goneCodes.has(e.errorCode)) ? [] : o.errors));
    if (refused.length > 0) return failed({ code: 'VALIDATION', message: `clearing ${e164} on ${objectName}: ${describeApiErrors(refused)}` });
    steps.push(`cleared the WhatsApp number on ${ids.length} ${objectName} records`);
    kept.push(`${ids.length} ${objectName} records the org owns (only the field Threadline wrote was cleared)`);
  }
  if (cases.length > 0) kept.push(`${cases.length} Cases agents worked on: delete them in Salesforce if the request covers them`);
  return { ok: true, steps, ...(kept.length > 0 ? { kept } : {}) };
}

export const salesforcePrivacy: PrivacyTarget<SalesforceConfig, SalesforceCredentials> = { eraseContact };
