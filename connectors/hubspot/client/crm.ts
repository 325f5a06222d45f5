import type { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/communications';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties';
import { z } from 'zod';
import type { HubSpotResult } from '../hubspot-result';
import { callHubSpot, type CallOptions, type HubSpotInstallation } from './hubspot-call';

/**
 * The CRM calls the connector makes (reference §7), each through `callHubSpot`, each answer checked with
 * zod before use: a shape we do not expect is BAD_RESPONSE, never a crash further on.
 */

export type Properties = Record<string, string>;
export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
}

/**
 * HUBSPOT_DEFINED association type ids (§7.2, the SDK's `AssociationTypes`). Task → contact (204) is from HubSpot's
 * association type list, not the reference [U].
 */
export const associationTypeIds = { communicationToContact: 81, communicationToDeal: 85, taskToContact: 204 } as const;

/** HubSpot's batch endpoints take 100 inputs (§7.1, §7.2). */
export const maxBatchInputs = 100;

const crmObject = z.object({ id: z.string().min(1), properties: z.record(z.string(), z.string().nullable().optional()) })
  .transform((o): CrmObject => ({ id: o.id, properties: Object.fromEntries(Object.entries(o.properties).map(([k, v]) => [k, v ?? null])) }));
const results = z.object({ results: z.array(crmObject) });

function checked<T>(schema: z.ZodType<T>, what: string) {
  return (result: HubSpotResult<unknown>): HubSpotResult<T> => {
    if (!result.ok) return result;
    const parsed = schema.safeParse(result.value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: { code: 'BAD_RESPONSE', message: `HubSpot ${what}: unexpected answer (${parsed.error.issues[0]?.message ?? 'shape'})` } };
  };
}

/**
 * Contacts whose WhatsApp or calculated phone properties hold this number (§7.1): groups are ORed. HubSpot's
 * index lags writes by seconds, so a miss here is not proof of absence (the caller's local mapping and lock
 * cover that).
 */
export async function searchContactsByPhone(installation: HubSpotInstallation, phone: { e164: string; national: string }, options?: CallOptions): Promise<HubSpotResult<CrmObject[]>> {
  const eq = (propertyName: string, value: string) => ({ filters: [{ propertyName, operator: FilterOperatorEnum.Eq, value }] });
  const filterGroups = [
    eq('hs_whatsapp_phone_number', phone.e164),
    eq('hs_searchable_calculated_international_mobile_number', phone.e164),
    eq('hs_searchable_calculated_international_phone_number', phone.e164),
    eq('hs_searchable_calculated_mobile_number', phone.national),
    eq('hs_searchable_calculated_phone_number', phone.national),
  ];
  const properties = ['hs_whatsapp_phone_number', 'hs_calculated_phone_number', 'hs_calculated_mobile_number', 'phone', 'mobilephone', 'createdate'];
  const answer = await callHubSpot(installation, 'search', (c: Client) => c.crm.contacts.searchApi.doSearch({ filterGroups, properties, limit: 20, sorts: ['createdate'] }), options);
  const parsed = checked(results, 'contact search')(answer);
  return parsed.ok ? { ok: true, value: parsed.value.results } : parsed;
}

/**
 * A contact by a unique-value property: a batch read by `idProperty`, so no search lag, and a miss is a 207
 * rather than the 404 a GET would be (HubSpot's certification counts error answers, §2.4).
 */
export async function findContactBy(installation: HubSpotInstallation, idProperty: string, value: string, options?: CallOptions): Promise<HubSpotResult<CrmObject | null>> {
  const answer = checked(results, 'contact read')(await callHubSpot(installation, 'api',
    (c: Client) => c.crm.contacts.batchApi.read({ inputs: [{ id: value }], idProperty, properties: [idProperty], propertiesWithHistory: [] }), options));
  if (!answer.ok) return answer;
  return { ok: true, value: answer.value.results.find((r) => r.properties[idProperty] === value) ?? null };
}

export async function createContact(installation: HubSpotInstallation, properties: Properties, options?: CallOptions): Promise<HubSpotResult<CrmObject>> {
  const answer = await callHubSpot(installation, 'api', (c: Client) => c.crm.contacts.basicApi.create({ properties, associations: [] }), options);
  return checked(crmObject, 'contact create')(answer);
}

const associationPages = z.object({
  results: z.array(z.object({ _from: z.object({ id: z.string() }), to: z.array(z.object({ toObjectId: z.union([z.string(), z.number()]).transform(String) })) })),
});

/** Each contact's open deals (§7.3 batch read, then the deals' `hs_is_closed`): two requests for up to 100 contacts. */
export async function openDealsOf(installation: HubSpotInstallation, contactIds: readonly string[], options?: CallOptions): Promise<HubSpotResult<Map<string, string[]>>> {
  const byContact = new Map<string, string[]>(contactIds.map((id) => [id, []]));
  if (contactIds.length === 0) return { ok: true, value: byContact };
  const associated = checked(associationPages, 'contact deals')(await callHubSpot(installation, 'api',
    (c: Client) => c.crm.associations.v4.batchApi.getPage('contacts', 'deals', { inputs: contactIds.map((id) => ({ id })) }), options));
  if (!associated.ok) return associated;
  const dealIds = [...new Set(associated.value.results.flatMap((r) => r.to.map((t) => t.toObjectId)))].slice(0, maxBatchInputs);
  if (dealIds.length === 0) return { ok: true, value: byContact };
  const deals = checked(results, 'deal read')(await callHubSpot(installation, 'api',
    (c: Client) => c.crm.deals.batchApi.read({ inputs: dealIds.map((id) => ({ id })), properties: ['hs_is_closed'], propertiesWithHistory: [] }), options));
  if (!deals.ok) return deals;
  const open = new Set(deals.value.results.filter((d) => d.properties.hs_is_closed !== 'true').map((d) => d.id));
  for (const r of associated.value.results) byContact.set(r._from.id, r.to.map((t) => t.toObjectId).filter((id) => open.has(id)));
  return { ok: true, value: byContact };
}

/** Contacts by id (one batch read, ≤ 100): id → the properties asked for; ids HubSpot no longer has are left out (a 207). */
export async function readContacts(installation: HubSpotInstallation, ids: readonly string[], properties: readonly string[], options?: CallOptions): Promise<HubSpotResult<Map<string, CrmObject['properties']>>> {
  if (ids.length === 0) return { ok: true, value: new Map() };
  const answer = checked(results, 'contact read')(await callHubSpot(installation, 'api',
    (c: Client) => c.crm.contacts.batchApi.read({ inputs: ids.map((id) => ({ id })), properties: [...properties], propertiesWithHistory: [] }), options));
  return answer.ok ? { ok: true, value: new Map(answer.value.results.map((r) => [r.id, r.properties])) } : answer;
}

/** One task (CRM tasks object, `hs_timestamp` its due date) associated with a contact inline; resolves to its id. */
export async function createTask(installation: HubSpotInstallation, properties: Properties, contactId: string, options?: CallOptions): Promise<HubSpotResult<string>> {
  const associations = [{ to: { id: contactId }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: associationTypeIds.taskToContact }] }];
  const answer = checked(crmObject, 'task create')(await callHubSpot(installation, 'api', (c: Client) => c.crm.objects.tasks.basicApi.create({ properties, associations }), options));
  return answer.ok ? { ok: true, value: answer.value.id } : answer;
}

export interface CommunicationInput {
  properties: Properties;
  contactId: string;
  dealIds: readonly string[];
}

/** One batch create (≤ 100), associations inline (§7.3: cheaper than separate calls). Ids in input order. */
export async function createCommunications(installation: HubSpotInstallation, inputs: readonly CommunicationInput[], options?: CallOptions): Promise<HubSpotResult<string[]>> {
  const category = AssociationSpecAssociationCategoryEnum.HubspotDefined;
  const body = {
    inputs: inputs.map((input) => ({
      properties: input.properties,
      associations: [
        { to: { id: input.contactId }, types: [{ associationCategory: category, associationTypeId: associationTypeIds.communicationToContact }] },
        ...input.dealIds.map((id) => ({ to: { id }, types: [{ associationCategory: category, associationTypeId: associationTypeIds.communicationToDeal }] })),
      ],
    })),
  };
  const answer = checked(results, 'communications create')(await callHubSpot(installation, 'api', (c: Client) => c.crm.objects.communications.batchApi.create(body), options));
  if (!answer.ok) return answer;
  if (answer.value.results.length !== inputs.length) {
    return { ok: false, error: { code: 'BAD_RESPONSE', message: `HubSpot created ${answer.value.results.length} communications for ${inputs.length} inputs` } };
  }
  return { ok: true, value: answer.value.results.map((r) => r.id) };
}

/** Communications by a unique-value property (a read, so no search lag): value → id, missing ones left out. */
export async function findCommunicationsBy(installation: HubSpotInstallation, idProperty: string, values: readonly string[], options?: CallOptions): Promise<HubSpotResult<Map<string, string>>> {
  if (values.length === 0) return { ok: true, value: new Map() };
  // A 207 naming the ids it did not find is a normal answer here.
  const answer = checked(results, 'communications read')(await callHubSpot(installation, 'api',
    (c: Client) => c.crm.objects.communications.batchApi.read({ inputs: values.map((id) => ({ id })), idProperty, properties: [idProperty], propertiesWithHistory: [] }), options));
  if (!answer.ok) return answer;
  const found = new Map<string, string>();
  for (const r of answer.value.results) {
    const value = r.properties[idProperty];
    if (value) found.set(value, r.id);
  }
  return { ok: true, value: found };
}

/** One batch update (≤ 100) of contacts or communications; `updated` leaves out ids HubSpot no longer has (a 207). */
export async function updateObjects(
  installation: HubSpotInstallation, objectType: 'contacts' | 'communications', updates: ReadonlyArray<{ id: string; properties: Properties }>, options?: CallOptions,
): Promise<HubSpotResult<{ updated: Set<string> }>> {
  if (updates.length === 0) return { ok: true, value: { updated: new Set() } };
  const inputs = { inputs: updates.map((u) => ({ id: u.id, properties: u.properties })) };
  const answer = checked(results, `${objectType} update`)(await callHubSpot(installation, 'api',
    (c: Client) => (objectType === 'contacts' ? c.crm.contacts.batchApi.update(inputs) : c.crm.objects.communications.batchApi.update(inputs)), options));
  return answer.ok ? { ok: true, value: { updated: new Set(answer.value.results.map((r) => r.id)) } } : answer;
}

export interface PropertySpec {
  objectType: 'contacts' | 'communications';
  name: string;
  label: string;
  description: string;
  type: 'string' | 'enumeration';
  options?: ReadonlyArray<{ label: string; value: string }>;
  hasUniqueValue?: boolean;
}

/**
 * Makes sure an app property exists by creating it: HubSpot answers 409 when it does already. Creating needs only
 * `crm.schemas.contacts.write`, which the app asks for; reading it first would need `…read` as well.
 */
export async function ensureProperty(installation: HubSpotInstallation, spec: PropertySpec, options?: CallOptions): Promise<HubSpotResult<void>> {
  const created = await callHubSpot(installation, 'api', (c: Client) => c.crm.properties.coreApi.create(spec.objectType, {
    name: spec.name,
    label: spec.label,
    description: spec.description,
    groupName: spec.objectType === 'contacts' ? 'contactinformation' : 'communication',
    type: spec.type === 'enumeration' ? PropertyCreateTypeEnum.Enumeration : PropertyCreateTypeEnum.String,
    fieldType: spec.type === 'enumeration' ? PropertyCreateFieldTypeEnum.Select : PropertyCreateFieldTypeEnum.Text,
    options: (spec.options ?? []).map((o, i) => ({ ...o, displayOrder: i, hidden: false })),
    hasUniqueValue: spec.hasUniqueValue ?? false,
  }), options);
  if (created.ok || created.error.status === 409) return { ok: true, value: undefined };
  return created;
}
