import type { ObjectType } from './object-types';

export type PropertyType = 'string' | 'number' | 'enumeration' | 'datetime' | 'bool';

export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  options: Array<{ label: string; value: string }>;
  /** Calculated or system-maintained: a write is refused with READ_ONLY_VALUE. */
  readOnlyValue: boolean;
  hasUniqueValue: boolean;
  /** HubSpot's own property (false for an app's or user's). */
  hubspotDefined: boolean;
}

const enumeration = (name: string, values: string[]): Partial<PropertyDefinition> & { name: string } => ({
  name,
  type: 'enumeration',
  fieldType: 'select',
  options: values.map((value) => ({ label: value, value })),
});

const readOnly = (name: string, type: PropertyType = 'string'): Partial<PropertyDefinition> & { name: string } => ({ name, type, readOnlyValue: true });

/** The HubSpot-defined properties the fake knows per object (reference §7.1, §7.2); everything else is unknown. */
const builtIn: Record<ObjectType, Array<Partial<PropertyDefinition> & { name: string }>> = {
  contacts: [
    { name: 'email', hasUniqueValue: true },
    { name: 'firstname' },
    { name: 'lastname' },
    { name: 'phone', fieldType: 'phonenumber' },
    { name: 'mobilephone', fieldType: 'phonenumber' },
    { name: 'hs_whatsapp_phone_number', fieldType: 'phonenumber' },
    { name: 'hubspot_owner_id' },
    enumeration('lifecyclestage', ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other']),
    readOnly('hs_object_id'),
    readOnly('createdate', 'datetime'),
    readOnly('lastmodifieddate', 'datetime'),
    readOnly('hs_searchable_calculated_phone_number'),
    readOnly('hs_searchable_calculated_mobile_number'),
    readOnly('hs_searchable_calculated_international_phone_number'),
    readOnly('hs_searchable_calculated_international_mobile_number'),
    readOnly('hs_calculated_phone_number'),
    readOnly('hs_calculated_mobile_number'),
  ],
  deals: [
    { name: 'dealname' },
    enumeration('dealstage', ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']),
    enumeration('pipeline', ['default']),
    { name: 'amount', type: 'number', fieldType: 'number' },
    { name: 'closedate', type: 'datetime', fieldType: 'date' },
    { name: 'hubspot_owner_id' },
    readOnly('hs_is_closed', 'bool'),
    readOnly('hs_is_closed_won', 'bool'),
    readOnly('hs_object_id'),
    readOnly('createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
  ],
  communications: [
    enumeration('hs_communication_channel_type', ['WHATS_APP', 'LINKEDIN_MESSAGE', 'SMS']),
    enumeration('hs_communication_logged_from', ['CRM']),
    { name: 'hs_communication_body', fieldType: 'html' },
    { name: 'hs_timestamp', type: 'datetime', fieldType: 'date' },
    { name: 'hubspot_owner_id' },
    readOnly('hs_object_id'),
    readOnly('hs_createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
  ],
  // HubSpot's tasks guide (not the reference) [U]: hs_timestamp is the due date; the status, priority and type options as it lists them.
  tasks: [
    { name: 'hs_timestamp', type: 'datetime', fieldType: 'date' },
    { name: 'hs_task_subject' },
    { name: 'hs_task_body', fieldType: 'html' },
    enumeration('hs_task_status', ['NOT_STARTED', 'COMPLETED']),
    enumeration('hs_task_priority', ['LOW', 'MEDIUM', 'HIGH']),
    enumeration('hs_task_type', ['EMAIL', 'CALL', 'TODO']),
    { name: 'hs_task_reminders', type: 'number', fieldType: 'number' },
    { name: 'hubspot_owner_id' },
    readOnly('hs_object_id'),
    readOnly('hs_createdate', 'datetime'),
    readOnly('hs_lastmodifieddate', 'datetime'),
  ],
};

/** What GET and search return when the request names no properties. */
export const defaultReadProperties: Record<ObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  communications: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

/** Required on create [U: HubSpot requires hs_timestamp on engagements; the channel type is what makes it WhatsApp]. */
export const requiredOnCreate: Record<ObjectType, string[]> = {
  contacts: [],
  deals: ['dealname', 'dealstage'],
  communications: ['hs_communication_channel_type', 'hs_communication_logged_from', 'hs_timestamp'],
  tasks: ['hs_timestamp'],
};

export function definition(init: Partial<PropertyDefinition> & { name: string }): PropertyDefinition {
  return {
    label: init.name,
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
    options: [],
    readOnlyValue: false,
    hasUniqueValue: false,
    hubspotDefined: true,
    ...init,
  };
}

export function builtInProperties(type: ObjectType): Map<string, PropertyDefinition> {
  return new Map(builtIn[type].map((p) => [p.name, definition(p)]));
}

/** One entry of the `Property values were not valid: [...]` message HubSpot sends with a 400. */
export interface PropertyValueError {
  isValid: false;
  message: string;
  error: 'PROPERTY_DOESNT_EXIST' | 'READ_ONLY_VALUE' | 'INVALID_OPTION' | 'INVALID_NUMBER' | 'INVALID_DATE' | 'INVALID_BOOLEAN' | 'REQUIRED_PROPERTY';
  name: string;
}

/** Stored form of a value: HubSpot keeps strings; datetimes are normalised to ISO-8601 UTC. */
export function normaliseValue(def: PropertyDefinition, value: string): string {
  if (def.type !== 'datetime' || value === '') return value;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return new Date(ms).toISOString();
}

export function validateValue(def: PropertyDefinition | undefined, name: string, value: string): PropertyValueError | undefined {
  const error = (code: PropertyValueError['error'], message: string): PropertyValueError => ({ isValid: false, message, error: code, name });
  if (!def) return error('PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
  if (def.readOnlyValue) return error('READ_ONLY_VALUE', `"${name}" is a read only property; its value cannot be set.`);
  if (value === '') return undefined;
  switch (def.type) {
    case 'enumeration':
      return def.options.some((o) => o.value === value) ? undefined : error('INVALID_OPTION', `${value} was not one of the allowed options: ${def.options.map((o) => o.value).join(', ')}`);
    case 'number':
      return Number.isFinite(Number(value)) ? undefined : error('INVALID_NUMBER', `${value} is not a valid number`);
    case 'datetime':
      return /^\d+$/.test(value) || !Number.isNaN(Date.parse(value)) ? undefined : error('INVALID_DATE', `${value} is not a valid date (epoch milliseconds or ISO 8601)`);
    case 'bool':
      return value === 'true' || value === 'false' ? undefined : error('INVALID_BOOLEAN', `${value} is not a valid boolean`);
    default:
      return undefined;
  }
}
