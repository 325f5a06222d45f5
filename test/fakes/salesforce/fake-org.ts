import { newId, toId18 } from './ids';
import type { RecordError } from './salesforce-errors';
import { buildSchema, type FieldDef, type ObjectDef } from './schema';

export type SfRecord = Record<string, unknown> & { Id: string };

export interface OrgInit {
  /** 18-character org id (00D…); default a generated one. */
  orgId?: string;
  /** Sandboxes log in through the sandbox host (test.salesforce.com), production through the production host. */
  sandbox?: boolean;
  /** The My Domain name: its login host is `${loginUrl}/domains/<myDomain>` on the fake. */
  myDomain?: string;
  /** API requests per rolling 24 h (Developer Edition: 15,000, §6). */
  dailyApiLimit?: number;
  /** Case Origin picklist values; add 'WhatsApp' to model the admin setup step (§3.4). Default Phone, Email, Web. */
  caseOrigins?: string[];
  /** Case record type ids the org has (012…). */
  caseRecordTypeIds?: string[];
  /** Queue ids (00G…) a Case may be owned by. */
  queueIds?: string[];
  /** Users (005…) besides the connecting one that records may be owned by. */
  otherUserIds?: string[];
  /** Delay before a write is visible to SOSL, ms on the fake's clock (§3.1: about 15 minutes or more). */
  searchIndexLagMs?: number;
}

interface IndexedVersion {
  visibleAt: number;
  record: SfRecord | undefined;
}

/** A user of the org: what the identity URL says of them and their effective permissions (`UserPermissionAccess`). */
export interface FakeSalesforceUser {
  id: string;
  displayName: string;
  username: string;
  email: string;
  /** `STANDARD` for internal users; portal and community users have others (`CSP_LITE_PORTAL`, `POWER_PARTNER`, …). */
  userType: string;
  /** System permissions the user holds through profile and permission sets, by API name without `Permissions`. */
  permissions: { ModifyAllData: boolean; CustomizeApplication: boolean };
}

/** One Salesforce org: its user, records per object, API usage and the lagging search index. */
export class FakeOrg {
  readonly orgId: string;
  readonly userId = newId('005');
  readonly sandbox: boolean;
  readonly myDomain: string | undefined;
  readonly schema: Map<string, ObjectDef>;
  dailyApiLimit: number;
  searchIndexLagMs: number;
  readonly caseOrigins: string[];
  readonly caseRecordTypeIds: string[];
  readonly queueIds: string[];
  readonly otherUserIds: string[];
  /** The org's users who can log in; the connecting user (`userId`) is a System Administrator. */
  readonly users = new Map<string, FakeSalesforceUser>();
  /** Object name → id → record. */
  records = new Map<string, Map<string, SfRecord>>();
  /** ms timestamps of counted API calls, pruned to the rolling 24 h. */
  private apiCalls: number[] = [];
  /** Query locators (`nextRecordsUrl`): the records still to page through. */
  readonly cursors = new Map<string, { objectName: string; records: Array<Record<string, unknown>> }>();
  private readonly searchIndex = new Map<string, IndexedVersion[]>();
  private caseNumber = 1000;

  constructor(
    init: OrgInit,
    namespace: string | undefined,
    private readonly now: () => number,
  ) {
    this.orgId = init.orgId ?? newId('00D');
    this.sandbox = init.sandbox ?? false;
    this.myDomain = init.myDomain;
    this.dailyApiLimit = init.dailyApiLimit ?? 15_000;
    this.searchIndexLagMs = init.searchIndexLagMs ?? 15 * 60_000;
    this.caseOrigins = init.caseOrigins ?? ['Phone', 'Email', 'Web'];
    this.caseRecordTypeIds = init.caseRecordTypeIds ?? [];
    this.queueIds = init.queueIds ?? [];
    this.otherUserIds = init.otherUserIds ?? [];
    this.users.set(this.userId, {
      id: this.userId, displayName: 'Fake Admin', username: `admin@${this.orgId.toLowerCase()}.example.com`, email: 'admin@example.com', userType: 'STANDARD',
      permissions: { ModifyAllData: true, CustomizeApplication: true },
    });
    this.schema = buildSchema(namespace);
    for (const def of this.schema.values()) this.records.set(def.name, new Map());
  }

  /** Adds a user who can log in (a new 005 id). */
  addUser(init: Omit<FakeSalesforceUser, 'id'>): FakeSalesforceUser {
    const user: FakeSalesforceUser = { ...init, id: newId('005') };
    this.users.set(user.id, user);
    return user;
  }

  object(name: string): ObjectDef | undefined {
    return this.schema.get(name.toLowerCase());
  }

  /** Records of one object (name as in the schema, e.g. 'Contact' or 'ns__WhatsApp_Message__c'). */
  all(objectName: string): SfRecord[] {
    const def = this.object(objectName);
    return def ? [...(this.records.get(def.name)?.values() ?? [])] : [];
  }

  /** Counts one API call; false when the rolling 24 h allowance is already spent. */
  takeApiCall(): boolean {
    const now = this.now();
    this.apiCalls = this.apiCalls.filter((at) => at > now - 86_400_000);
    if (this.apiCalls.length >= this.dailyApiLimit) return false;
    this.apiCalls.push(now);
    return true;
  }

  /** Pretends `count` calls were already made (now), to reach the limit without making them. */
  spendApiCalls(count: number): void {
    for (let i = 0; i < count; i += 1) this.apiCalls.push(this.now());
  }

  get apiUsed(): number {
    return this.apiCalls.filter((at) => at > this.now() - 86_400_000).length;
  }

  /** Everything, for composite/collection all-or-none rollback. */
  snapshot(): Map<string, Map<string, SfRecord>> {
    return new Map([...this.records].map(([name, byId]) => [name, new Map([...byId].map(([id, r]) => [id, { ...r }]))]));
  }

  restore(snapshot: Map<string, Map<string, SfRecord>>): void {
    this.records = snapshot;
  }

  find(def: ObjectDef, id: string): SfRecord | undefined {
    const id18 = toId18(id);
    return id18 === undefined ? undefined : this.records.get(def.name)?.get(id18);
  }

  findByField(def: ObjectDef, field: FieldDef, value: string): SfRecord[] {
    return this.all(def.name).filter((r) => r[field.name] === value);
  }

  /** Validates and inserts; the new id, or the record's errors (nothing written). */
  insert(def: ObjectDef, fields: Record<string, unknown>): { id: string } | { errors: RecordError[] } {
    const checked = this.validate(def, fields, undefined);
    if ('errors' in checked) return checked;
    const now = new Date(this.now()).toISOString();
    const record: SfRecord = { Id: newId(def.keyPrefix), CreatedDate: now, LastModifiedDate: now };
    for (const field of def.fields.values()) if (field.defaultValue !== undefined) record[field.name] = field.defaultValue;
    if (def.fields.has('ownerid')) record.OwnerId = this.userId;
    if (def.name === 'Case') record.CaseNumber = String((this.caseNumber += 1)).padStart(8, '0');
    Object.assign(record, checked.values);
    this.derive(def, record);
    this.records.get(def.name)?.set(record.Id, record);
    this.index(def, record);
    return { id: record.Id };
  }

  update(def: ObjectDef, id: string, fields: Record<string, unknown>): { id: string } | { errors: RecordError[] } {
    const existing = this.find(def, id);
    if (!existing) return { errors: [{ statusCode: toId18(id) ? 'ENTITY_IS_DELETED' : 'MALFORMED_ID', message: toId18(id) ? 'entity is deleted' : `${def.name} ID: id value of incorrect type: ${id}`, fields: [] }] };
    const checked = this.validate(def, fields, existing);
    if ('errors' in checked) return checked;
    const record = { ...existing, ...checked.values, LastModifiedDate: new Date(this.now()).toISOString() };
    this.derive(def, record);
    this.records.get(def.name)?.set(record.Id, record);
    this.index(def, record);
    return { id: record.Id };
  }

  delete(def: ObjectDef, id: string): boolean {
    const existing = this.find(def, id);
    if (!existing) return false;
    this.records.get(def.name)?.delete(existing.Id);
    this.index(def, undefined, existing.Id);
    return true;
  }

  /** Records as SOSL sees them now: each write becomes visible `searchIndexLagMs` after it happened. */
  searchable(def: ObjectDef): SfRecord[] {
    const now = this.now();
    const out: SfRecord[] = [];
    for (const [key, versions] of this.searchIndex) {
      if (!key.startsWith(`${def.name}/`)) continue;
      const visible = versions.filter((v) => v.visibleAt <= now).at(-1);
      if (visible?.record) out.push(visible.record);
    }
    return out;
  }

  private index(def: ObjectDef, record: SfRecord | undefined, id = record?.Id): void {
    const key = `${def.name}/${id}`;
    const versions = this.searchIndex.get(key) ?? [];
    versions.push({ visibleAt: this.now() + this.searchIndexLagMs, record: record && { ...record } });
    this.searchIndex.set(key, versions);
  }

  /** What the org computes on save; `record` still holds the previous IsClosed, so closing stamps the time once. */
  private derive(def: ObjectDef, record: SfRecord): void {
    if (def.name === 'Contact' || def.name === 'Lead') record.Name = [record.FirstName, record.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ');
    if (def.name === 'Case') this.closeWhen(record, record.Status === 'Closed', 'ClosedDate');
    if (def.name === 'Task') this.closeWhen(record, record.Status === 'Completed', 'CompletedDateTime');
  }

  private closeWhen(record: SfRecord, closed: boolean, stampField: string): void {
    if (closed && record.IsClosed !== true) record[stampField] = new Date(this.now()).toISOString();
    if (!closed) record[stampField] = null;
    record.IsClosed = closed;
  }

  /** Field-level checks in Salesforce's order of reporting: unknown/read-only fields, values, then required. */
  private validate(def: ObjectDef, fields: Record<string, unknown>, existing: SfRecord | undefined): { values: Record<string, unknown> } | { errors: RecordError[] } {
    const errors: RecordError[] = [];
    const values: Record<string, unknown> = {};
    const readOnly: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'attributes') continue;
      const field = def.fields.get(key.toLowerCase());
      if (!field) {
        errors.push({ statusCode: 'INVALID_FIELD', message: `No such column '${key}' on sobject of type ${def.name}`, fields: [key] });
        continue;
      }
      if ((field.readOnly && !(field.name === 'Id' && existing)) || (field.createOnly && existing)) {
        readOnly.push(field.name);
        continue;
      }
      if (field.name === 'Id') continue;
      const problem = this.checkValue(def, field, value);
      if (problem) errors.push(problem);
      // Lookups are stored as 18-character ids whatever length was sent.
      else values[field.name] = value === '' ? null : field.type === 'reference' ? toId18(String(value)) : value;
    }
    if (readOnly.length > 0) {
      errors.unshift({
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: readOnly,
      });
    }
    if (errors.length > 0) return { errors };
    const merged = { ...existing, ...values };
    const missing = [...def.fields.values()].filter((f) => f.required && (merged[f.name] === undefined || merged[f.name] === null)).map((f) => f.name);
    if (missing.length > 0) return { errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing }] };
    // §3.2: Lead activities cannot be related to another record [U: wording].
    if (def.name === 'Task' && typeof merged.WhatId === 'string' && typeof merged.WhoId === 'string' && merged.WhoId.startsWith('00Q')) {
      return { errors: [{ statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: 'Related To ID: a task whose Name ID is a lead cannot be related to another record', fields: ['WhatId'] }] };
    }
    for (const field of def.fields.values()) {
      if (!field.unique || values[field.name] === undefined || values[field.name] === null) continue;
      const clash = this.findByField(def, field, String(values[field.name])).find((r) => r.Id !== existing?.Id);
      if (clash) return { errors: [{ statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: ${field.name} duplicates value on record with id: ${clash.Id}`, fields: [] }] };
    }
    return { values };
  }

  private checkValue(def: ObjectDef, field: FieldDef, value: unknown): RecordError | undefined {
    const fail = (statusCode: string, message: string): RecordError => ({ statusCode, message, fields: [field.name] });
    if (value === null || value === '') return undefined;
    switch (field.type) {
      case 'string':
      case 'textarea':
      case 'phone':
      case 'email':
      case 'picklist': {
        if (typeof value !== 'string') return fail('JSON_PARSER_ERROR', `Cannot deserialize instance of string from ${typeof value} value ${JSON.stringify(value)} or request may be missing a required field`);
        if (field.maxLength !== undefined && value.length > field.maxLength) return fail('STRING_TOO_LONG', `${field.name}: data value too large: ${value.slice(0, 40)} (max length=${field.maxLength})`);
        if (field.type === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return fail('INVALID_EMAIL_ADDRESS', `${field.name}: invalid email address: ${value}`);
        const allowed = def.name === 'Case' && field.name === 'Origin' ? this.caseOrigins : field.values;
        if (field.type === 'picklist' && allowed && !allowed.includes(value)) return fail('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${field.name}: bad value for restricted picklist field: ${value}`);
        return undefined;
      }
      case 'boolean':
        return typeof value === 'boolean' ? undefined : fail('JSON_PARSER_ERROR', `Cannot deserialize instance of boolean from ${typeof value} value ${JSON.stringify(value)}`);
      case 'double':
        return typeof value === 'number' ? undefined : fail('JSON_PARSER_ERROR', `Cannot deserialize instance of double from ${typeof value} value ${JSON.stringify(value)}`);
      case 'datetime':
        return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : fail('JSON_PARSER_ERROR', `Cannot deserialize instance of datetime from ${JSON.stringify(value)}`);
      case 'date':
        return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? undefined : fail('JSON_PARSER_ERROR', `Cannot deserialize instance of date from ${JSON.stringify(value)}`);
      case 'reference':
        return typeof value === 'string' ? this.checkReference(field, value) : fail('JSON_PARSER_ERROR', `Cannot deserialize instance of reference from ${typeof value} value`);
      case 'id':
        return undefined;
    }
  }

  private checkReference(field: FieldDef, value: string): RecordError | undefined {
    const id = toId18(value);
    if (id === undefined) return { statusCode: 'MALFORMED_ID', message: `${field.name}: id value of incorrect type: ${value}`, fields: [field.name] };
    const targets = field.referenceTo ?? [];
    const exists =
      (targets.includes('User') && [...this.users.keys(), ...this.otherUserIds.map(toId18)].includes(id)) ||
      (targets.includes('Group') && this.queueIds.map(toId18).includes(id)) ||
      (targets.includes('RecordType') && this.caseRecordTypeIds.map(toId18).includes(id)) ||
      targets.some((t) => this.records.get(t)?.has(id));
    if (exists) return undefined;
    const rightPrefix = targets.some((t) => this.object(t)?.keyPrefix === id.slice(0, 3) || { User: '005', Group: '00G', RecordType: '012' }[t] === id.slice(0, 3));
    if (!rightPrefix) return { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `${field.name}: id value of incorrect type: ${value}`, fields: [field.name] };
    return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: `invalid cross reference id`, fields: [field.name] };
  }
}
