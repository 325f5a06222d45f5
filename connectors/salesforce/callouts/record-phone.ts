import { internationalForm } from '../../../core/whatsapp/phone-number';
import { callSalesforce, type SalesforceCallOptions, type SalesforceInstallation } from '../client/salesforce-call';
import { packaged } from '../sync/package-names';

/** Key prefixes (an id's first three characters) of the records a Flow may message by their phone. */
const CUSTOMER_OBJECTS: Readonly<Record<string, string>> = { '003': 'Contact', '00Q': 'Lead' };

export type RecordWaId =
  | { ok: true; waId: string }
  | { ok: false; code: 'NOT_A_CUSTOMER' | 'NO_PHONE' | 'RECORD_NOT_FOUND' | 'SALESFORCE_UNAVAILABLE'; message: string };

/**
 * The WhatsApp number of a Contact or Lead (18-character id), read from the org with its token: the package's
 * normalised `WhatsApp_E164__c`, else MobilePhone, else Phone (the first that carries a country code; a national
 * number alone cannot be a wa_id without guessing the country).
 */
export async function waIdOfRecord(installation: SalesforceInstallation, recordId: string, options: SalesforceCallOptions = {}): Promise<RecordWaId> {
  const object = CUSTOMER_OBJECTS[recordId.slice(0, 3)];
  if (object === undefined) return { ok: false, code: 'NOT_A_CUSTOMER', message: `Record ${recordId} is not a Contact or Lead, so Threadline cannot look up a WhatsApp number for it` };
  const fields = [packaged(installation.config.namespace, 'WhatsApp_E164__c'), 'MobilePhone', 'Phone'];
  // recordId is a checked 18-character id: nothing else reaches the query.
  const read = await callSalesforce(installation, async (conn) => conn.query<Record<string, unknown>>(`SELECT ${fields.join(', ')} FROM ${object} WHERE Id = '${recordId}'`), options);
  if (!read.ok) return { ok: false, code: 'SALESFORCE_UNAVAILABLE', message: `Salesforce did not answer about ${object} ${recordId}: ${read.error.message}` };
  const record = read.value.records[0];
  if (record === undefined) return { ok: false, code: 'RECORD_NOT_FOUND', message: `Salesforce has no ${object} ${recordId} in this org` };
  for (const field of fields) {
    // The international form is `+` and the wa_id.
    const waId = internationalForm(record[field])?.slice(1);
    if (waId !== undefined) return { ok: true, waId };
  }
  return { ok: false, code: 'NO_PHONE', message: `${object} ${recordId} has no phone number with a country code (+…) in ${fields.join(', ')}` };
}
