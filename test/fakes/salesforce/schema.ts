/**
 * The sObjects the connector touches (reference §3.2, §3.3, §3.4; issue 6 item 2): standard Contact, Lead, Case,
 * Opportunity, Account, Task and the packaged WhatsApp objects. Custom names take the package namespace
 * (`ns__WhatsApp_Message__c`) when the fake is started with one, as a subscriber org sees them (§5.2).
 */
export type FieldType = 'id' | 'string' | 'textarea' | 'phone' | 'email' | 'picklist' | 'boolean' | 'datetime' | 'date' | 'double' | 'reference';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Set by Salesforce only: writing it is INVALID_FIELD_FOR_INSERT_UPDATE. */
  readOnly?: boolean;
  /** Settable when the record is created, never after (Task.TaskSubtype, §3.2): updating it is INVALID_FIELD_FOR_INSERT_UPDATE. */
  createOnly?: boolean;
  required?: boolean;
  maxLength?: number;
  /** Object names a reference may point at (standard names; custom ones are namespaced at build time). */
  referenceTo?: string[];
  /** Restricted picklist values; writing another is INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST. */
  values?: string[];
  externalId?: boolean;
  unique?: boolean;
  defaultValue?: unknown;
}

export interface ObjectDef {
  name: string;
  keyPrefix: string;
  fields: Map<string, FieldDef>;
  /** Fields SOSL `IN NAME FIELDS` looks at; `IN PHONE FIELDS` uses every phone-typed field. */
  nameFields: string[];
}

const system = (): FieldDef[] => [
  { name: 'Id', type: 'id', readOnly: true },
  { name: 'CreatedDate', type: 'datetime', readOnly: true },
  { name: 'LastModifiedDate', type: 'datetime', readOnly: true },
  { name: 'OwnerId', type: 'reference', referenceTo: ['User', 'Group'] },
];
const person = (): FieldDef[] => [
  { name: 'FirstName', type: 'string', maxLength: 40 },
  { name: 'LastName', type: 'string', maxLength: 80, required: true },
  { name: 'Name', type: 'string', readOnly: true },
  { name: 'Email', type: 'email', maxLength: 80 },
  { name: 'Phone', type: 'phone', maxLength: 40 },
  { name: 'MobilePhone', type: 'phone', maxLength: 40 },
  // The packaged, indexed normalised number the connector matches with SOQL first (§3.1 step 2).
  { name: 'WhatsApp_E164__c', type: 'string', maxLength: 20, externalId: true },
];

const standard: Array<{ name: string; keyPrefix: string; fields: FieldDef[]; nameFields: string[] }> = [
  { name: 'Account', keyPrefix: '001', nameFields: ['Name'], fields: [{ name: 'Name', type: 'string', maxLength: 255, required: true }, { name: 'Phone', type: 'phone', maxLength: 40 }] },
  {
    name: 'Contact',
    keyPrefix: '003',
    nameFields: ['FirstName', 'LastName', 'Name'],
    fields: [...person(), { name: 'AccountId', type: 'reference', referenceTo: ['Account'] }, { name: 'HomePhone', type: 'phone', maxLength: 40 }, { name: 'OtherPhone', type: 'phone', maxLength: 40 }],
  },
  {
    name: 'Lead',
    keyPrefix: '00Q',
    nameFields: ['FirstName', 'LastName', 'Name', 'Company'],
    fields: [
      ...person(),
      { name: 'Company', type: 'string', maxLength: 255, required: true },
      { name: 'Status', type: 'picklist', values: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'], defaultValue: 'Open - Not Contacted' },
      { name: 'LeadSource', type: 'picklist' },
      { name: 'IsConverted', type: 'boolean', readOnly: true, defaultValue: false },
    ],
  },
  {
    name: 'Case',
    keyPrefix: '500',
    nameFields: ['Subject', 'SuppliedName'],
    fields: [
      { name: 'CaseNumber', type: 'string', readOnly: true },
      { name: 'Subject', type: 'string', maxLength: 255 },
      { name: 'Description', type: 'textarea', maxLength: 32_000 },
      { name: 'Status', type: 'picklist', values: ['New', 'Working', 'Escalated', 'Closed'], defaultValue: 'New' },
      { name: 'Priority', type: 'picklist', values: ['High', 'Medium', 'Low'], defaultValue: 'Medium' },
      // Values come from the org (`caseOrigins`): "WhatsApp" is an admin setup step (§3.4).
      { name: 'Origin', type: 'picklist' },
      { name: 'RecordTypeId', type: 'reference', referenceTo: ['RecordType'] },
      { name: 'ContactId', type: 'reference', referenceTo: ['Contact'] },
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'] },
      { name: 'SuppliedPhone', type: 'string', maxLength: 40 },
      { name: 'SuppliedName', type: 'string', maxLength: 80 },
      // Both derived from Status by the org (fake-org.ts): ClosedDate set when the Case closes, cleared on reopen.
      { name: 'IsClosed', type: 'boolean', readOnly: true, defaultValue: false },
      { name: 'ClosedDate', type: 'datetime', readOnly: true },
    ],
  },
  {
    // §3.2. WhoId is a Contact or Lead; WhatId may not be set with a Lead (fake-org.ts). Type's values are the admin's.
    name: 'Task',
    keyPrefix: '00T',
    nameFields: ['Subject'],
    fields: [
      { name: 'Subject', type: 'string', maxLength: 255 },
      { name: 'Description', type: 'textarea', maxLength: 32_000 },
      { name: 'WhoId', type: 'reference', referenceTo: ['Contact', 'Lead'] },
      { name: 'WhatId', type: 'reference', referenceTo: ['Account', 'Opportunity', 'Case', 'WhatsApp_Conversation__c'] },
      { name: 'Status', type: 'picklist', values: ['Not Started', 'In Progress', 'Completed'], defaultValue: 'Not Started' },
      { name: 'ActivityDate', type: 'date' },
      // [U] the reference lists no Task Priority; these are the standard values.
      { name: 'Priority', type: 'picklist', values: ['High', 'Normal', 'Low'], defaultValue: 'Normal' },
      { name: 'TaskSubtype', type: 'picklist', values: ['Task', 'Email', 'Call', 'ListEmail'], createOnly: true, defaultValue: 'Task' },
      { name: 'Type', type: 'picklist' },
      { name: 'IsClosed', type: 'boolean', readOnly: true, defaultValue: false },
      { name: 'CompletedDateTime', type: 'datetime', readOnly: true },
    ],
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    nameFields: ['Name'],
    fields: [
      { name: 'Name', type: 'string', maxLength: 120, required: true },
      { name: 'StageName', type: 'picklist', required: true },
      { name: 'CloseDate', type: 'date', required: true },
      { name: 'AccountId', type: 'reference', referenceTo: ['Account'] },
    ],
  },
  {
    name: 'WhatsApp_Conversation__c',
    keyPrefix: 'a0W',
    nameFields: ['Name'],
    fields: [
      { name: 'Name', type: 'string', maxLength: 80 },
      { name: 'Conversation_Key__c', type: 'string', maxLength: 255, externalId: true, unique: true },
      { name: 'Customer_WaId__c', type: 'string', maxLength: 32, externalId: true },
      { name: 'Business_Phone_Id__c', type: 'string', maxLength: 64 },
      { name: 'Contact__c', type: 'reference', referenceTo: ['Contact'] },
      { name: 'Lead__c', type: 'reference', referenceTo: ['Lead'] },
      { name: 'Case__c', type: 'reference', referenceTo: ['Case'] },
      { name: 'Opportunity__c', type: 'reference', referenceTo: ['Opportunity'] },
      { name: 'Account__c', type: 'reference', referenceTo: ['Account'] },
      { name: 'Status__c', type: 'picklist', values: ['Open', 'Closed'] },
      { name: 'Last_Inbound_At__c', type: 'datetime' },
      { name: 'Unread_Count__c', type: 'double' },
    ],
  },
  {
    name: 'WhatsApp_Message__c',
    keyPrefix: 'a0X',
    nameFields: ['Name'],
    fields: [
      { name: 'Name', type: 'string', maxLength: 80 },
      // Master-detail: required, and the message has no owner of its own.
      { name: 'Conversation__c', type: 'reference', referenceTo: ['WhatsApp_Conversation__c'], required: true },
      // The upsert key: outbound messages have no wamid until Meta accepts them, so the package keys on Threadline's id.
      { name: 'Threadline_Id__c', type: 'string', maxLength: 64, externalId: true, unique: true },
      { name: 'Wamid__c', type: 'string', maxLength: 255, externalId: true, unique: true },
      { name: 'Direction__c', type: 'picklist', values: ['Inbound', 'Outbound'] },
      { name: 'Type__c', type: 'picklist', values: ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'template', 'interactive', 'reaction', 'unsupported'] },
      { name: 'Body__c', type: 'textarea', maxLength: 131_072 },
      { name: 'Media_Url__c', type: 'string', maxLength: 1000 },
      { name: 'Status__c', type: 'picklist', values: ['received', 'sent', 'delivered', 'read', 'failed'] },
      { name: 'Error_Code__c', type: 'string', maxLength: 40 },
      { name: 'Error_Message__c', type: 'textarea', maxLength: 1000 },
      { name: 'Sent_At__c', type: 'datetime' },
    ],
  },
];

/** `Wamid__c` → `ns__Wamid__c` when the package has a namespace; standard names unchanged. */
export function namespaced(name: string, namespace: string | undefined): string {
  return namespace && name.endsWith('__c') ? `${namespace}__${name}` : name;
}

/** The schema of one org: object name → definition (names case-insensitive, as Salesforce's). */
export function buildSchema(namespace: string | undefined): Map<string, ObjectDef> {
  const objects = new Map<string, ObjectDef>();
  for (const object of standard) {
    const fields = new Map<string, FieldDef>();
    const isCustom = object.name.endsWith('__c');
    for (const field of [...system().filter((f) => !(isCustom && object.name === 'WhatsApp_Message__c' && f.name === 'OwnerId')), ...object.fields]) {
      const def = { ...field, name: namespaced(field.name, namespace), referenceTo: field.referenceTo?.map((r) => namespaced(r, namespace)) };
      fields.set(def.name.toLowerCase(), def);
    }
    const name = namespaced(object.name, namespace);
    objects.set(name.toLowerCase(), { name, keyPrefix: object.keyPrefix, fields, nameFields: object.nameFields.map((f) => namespaced(f, namespace)) });
  }
  return objects;
}
