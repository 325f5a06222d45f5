import { e164Of, isSameNumber } from '../../../core/whatsapp/phone-number';
import type { SalesforceInstallation } from '../client/salesforce-call';
import type { SalesforceResult } from '../salesforce-result';
import { composite, queryPath, recordsOf, searchPath, searchRecordsOf, type Subrequest } from '../sync/composite';
import { packaged } from '../sync/package-names';
import { soqlList, soslDigits } from '../sync/soql';
import { searchTerms } from './phone-match';

export type PersonType = 'Contact' | 'Lead';

/** A Contact or Lead found for a number; `normalised` when its WhatsApp_E164__c already holds it. */
export interface FoundPerson {
  type: PersonType;
  id: string;
  normalised: boolean;
}

interface Candidate extends FoundPerson {
  modifiedAt: number;
}

/** wa_ids per IN list: 100 numbers keep the query URL far below Salesforce's limits. */
const numbersPerQuery = 100;

/**
 * The Contact or Lead of each wa_id (§3.1 steps 2-4), in as few API calls as the batch allows: first the packaged
 * normalised field with SOQL (Contacts and unconverted Leads, all numbers in IN lists, one composite call), then for
 * the numbers still unknown SOSL over phone fields (two searches per number: the international number and the
 * national one, split off by the country-code table; 25 searches to a composite call), each hit checked digit by
 * digit. Several matches: a Contact beats a Lead, then the most recently modified wins.
 */
export async function findByNumbers(installation: SalesforceInstallation, waIds: readonly string[]): Promise<SalesforceResult<Map<string, FoundPerson>>> {
  const numbers = [...new Set(waIds)].filter((w) => e164Of(w) !== undefined);
  const found = new Map<string, Candidate[]>();
  const exact = await bySoql(installation, numbers, found);
  if (!exact.ok) return exact;
  const searched = await bySosl(installation, numbers.filter((w) => !found.has(w)), found);
  if (!searched.ok) return searched;
  return { ok: true, value: new Map([...found].flatMap(([waId, candidates]) => {
    const best = preferred(candidates);
    return best ? [[waId, { type: best.type, id: best.id, normalised: best.normalised }]] : [];
  })) };
}

async function bySoql(installation: SalesforceInstallation, numbers: string[], found: Map<string, Candidate[]>): Promise<SalesforceResult<void>> {
  const e164 = packaged(installation.config.namespace, 'WhatsApp_E164__c');
  const subrequests: Subrequest[] = [];
  for (let start = 0; start < numbers.length; start += numbersPerQuery) {
    const values = soqlList(numbers.slice(start, start + numbersPerQuery).map((w) => `+${w}`));
    subrequests.push(
      { referenceId: `contacts${start}`, method: 'GET', path: queryPath(`SELECT Id, ${e164}, LastModifiedDate FROM Contact WHERE ${e164} IN ${values}`) },
      { referenceId: `leads${start}`, method: 'GET', path: queryPath(`SELECT Id, ${e164}, LastModifiedDate FROM Lead WHERE ${e164} IN ${values} AND IsConverted = false`) },
    );
  }
  if (subrequests.length === 0) return { ok: true, value: undefined };
  const answered = await composite(installation, subrequests);
  if (!answered.ok) return answered;
  for (const [index, result] of answered.value.entries()) {
    const records = recordsOf(result);
    if (!records.ok) return records;
    const type: PersonType = index % 2 === 0 ? 'Contact' : 'Lead';
    for (const record of records.value) {
      const waId = String(record[e164] ?? '').replace(/^\+/, '');
      add(found, waId, { type, id: record.Id, normalised: true, modifiedAt: Date.parse(String(record.LastModifiedDate)) });
    }
  }
  return { ok: true, value: undefined };
}

async function bySosl(installation: SalesforceInstallation, numbers: string[], found: Map<string, Candidate[]>): Promise<SalesforceResult<void>> {
  const e164 = packaged(installation.config.namespace, 'WhatsApp_E164__c');
  const phoneFields: Record<PersonType, string[]> = { Contact: ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone'], Lead: ['Phone', 'MobilePhone'] };
  const searches = numbers.flatMap((waId) => searchTerms(waId).map((term) => ({ waId, term })));
  for (let start = 0; start < searches.length; start += 25) {
    const chunk = searches.slice(start, start + 25);
    const answered = await composite(installation, chunk.map(({ term }, i) => ({
      referenceId: `search${i}`, method: 'GET' as const,
      path: searchPath(`FIND {${soslDigits(term)}} IN PHONE FIELDS RETURNING Contact(Id, ${phoneFields.Contact.join(', ')}, ${e164}, LastModifiedDate), `
        + `Lead(Id, ${phoneFields.Lead.join(', ')}, ${e164}, LastModifiedDate WHERE IsConverted = false)`),
    })));
    if (!answered.ok) return answered;
    for (const [i, result] of answered.value.entries()) {
      const hits = searchRecordsOf(result);
      if (!hits.ok) return hits;
      const waId = chunk[i]?.waId ?? '';
      for (const hit of hits.value) {
        const type = hit.attributes.type === 'Contact' ? 'Contact' : 'Lead';
        if (!phoneFields[type].some((field) => isSameNumber(hit[field], waId))) continue;
        add(found, waId, { type, id: hit.Id, normalised: hit[e164] === `+${waId}`, modifiedAt: Date.parse(String(hit.LastModifiedDate)) });
      }
    }
  }
  return { ok: true, value: undefined };
}

function add(found: Map<string, Candidate[]>, waId: string, candidate: Candidate): void {
  const list = found.get(waId) ?? [];
  if (!list.some((c) => c.id === candidate.id)) list.push(candidate);
  found.set(waId, list);
}

function preferred(candidates: readonly Candidate[]): Candidate | undefined {
  return [...candidates].sort((a, b) => (a.type === b.type ? 0 : a.type === 'Contact' ? -1 : 1) || (b.modifiedAt || 0) - (a.modifiedAt || 0))[0];
}
