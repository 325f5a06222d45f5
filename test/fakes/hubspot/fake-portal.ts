import { associationTypeById, defaultAssociationType, type AssociationType, type ObjectType } from './object-types';
import { calculatedPhoneProperties } from './phone-properties';
import { builtInProperties, normaliseValue, type PropertyDefinition } from './property-schema';

export type PropertyValues = Record<string, string | null>;

export interface CrmRecord {
  id: string;
  type: ObjectType;
  properties: PropertyValues;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  /** What CRM search sees: the properties as last indexed (undefined: not indexed yet). */
  indexed: PropertyValues | undefined;
  /** ms on the fake's clock when the latest write becomes searchable. */
  indexDueAt: number;
}

/** One direction of an association; every association is stored both ways with each side's type id. */
export interface AssociationEdge {
  fromType: ObjectType;
  fromId: string;
  toType: ObjectType;
  toId: string;
  typeId: number;
  category: 'HUBSPOT_DEFINED';
}

export interface PortalInit {
  portalId: number;
  /** The user who installs the app (`user_id` in tokens). */
  userId?: number;
  /** Scopes this portal's tier can grant; undefined: all. A required scope outside it fails the install (§1.4). */
  grantableScopes?: string[];
  /** Delay before a write shows in CRM search (reference §7.1: "a few seconds"). Default 3000. */
  searchIndexDelayMs?: number;
}

/** A user of the portal, as the user provisioning API shows it (`GET /settings/users/2026-03/{userId}`). */
export interface FakeHubSpotUser {
  id: number;
  email: string;
  firstName: string | undefined;
  lastName: string | undefined;
  /** Super Admins may install apps (reference §1.1) and change every setting. */
  superAdmin: boolean;
}

/** A sliding window of request times: the 110-per-10-seconds limit and search's 5 per second (§7.5, §7.1). */
export class RollingLimit {
  private readonly times: number[] = [];

  constructor(
    public max: number,
    readonly intervalMs: number,
  ) {}

  /** Counts one request; `allowed` false once `max` were counted inside the interval. */
  take(now: number): { allowed: boolean; remaining: number } {
    while (this.times.length > 0 && (this.times[0] ?? 0) <= now - this.intervalMs) this.times.shift();
    if (this.times.length >= this.max) return { allowed: false, remaining: 0 };
    this.times.push(now);
    return { allowed: true, remaining: this.max - this.times.length };
  }
}

/** One HubSpot account (portal, hub) with everything in it. */
export class FakePortal {
  readonly portalId: number;
  readonly userId: number;
  readonly grantableScopes: string[] | undefined;
  readonly records = new Map<string, CrmRecord>();
  readonly associations: AssociationEdge[] = [];
  readonly properties: Record<ObjectType, Map<string, PropertyDefinition>> = {
    contacts: builtInProperties('contacts'),
    deals: builtInProperties('deals'),
    communications: builtInProperties('communications'),
    tasks: builtInProperties('tasks'),
  };
  searchIndexDelayMs: number;
  /** Public OAuth apps: 110 requests per 10 s per installing account, search excluded (§7.5). */
  readonly apiLimit = new RollingLimit(110, 10_000);
  readonly searchLimit = new RollingLimit(5, 1_000);
  /** False once the app is uninstalled (either side): tokens are gone and refresh fails. */
  installed = true;
  /** The portal's users; the installing user (`userId`) is a Super Admin. */
  readonly users = new Map<number, FakeHubSpotUser>();
  /** The user logged in to HubSpot in the test's browser: the authorize page grants as them (default: `userId`). */
  signingInUserId: number | undefined = undefined;

  constructor(
    init: PortalInit,
    private readonly now: () => number,
    private readonly nextId: () => string,
  ) {
    this.portalId = init.portalId;
    this.userId = init.userId ?? 9_000_001;
    this.grantableScopes = init.grantableScopes;
    this.searchIndexDelayMs = init.searchIndexDelayMs ?? 3000;
    this.users.set(this.userId, { id: this.userId, email: `admin@portal-${this.portalId}.example.com`, firstName: 'Portal', lastName: 'Admin', superAdmin: true });
  }

  /** Adds a user to the portal (ids follow the installing user's). */
  addUser(init: Omit<FakeHubSpotUser, 'id'>): FakeHubSpotUser {
    const user: FakeHubSpotUser = { ...init, id: Math.max(...this.users.keys()) + 1 };
    this.users.set(user.id, user);
    return user;
  }

  /** Creates a record as the API would. `indexed: true` makes it searchable at once (seeding a test). */
  create(type: ObjectType, values: PropertyValues, options: { indexed?: boolean } = {}): CrmRecord {
    const now = this.now();
    const id = this.nextId();
    const record: CrmRecord = { id, type, properties: {}, createdAt: now, updatedAt: now, archived: false, indexed: undefined, indexDueAt: now };
    this.records.set(id, record);
    this.write(record, values, options);
    return record;
  }

  update(record: CrmRecord, values: PropertyValues, options: { indexed?: boolean } = {}): void {
    record.updatedAt = this.now();
    this.write(record, values, options);
  }

  get(type: ObjectType, id: string): CrmRecord | undefined {
    const record = this.records.get(id);
    return record && record.type === type && !record.archived ? record : undefined;
  }

  /** A record by a unique-value property (`idProperty`, e.g. email). */
  findBy(type: ObjectType, property: string, value: string): CrmRecord | undefined {
    const wanted = value.toLowerCase();
    return this.list(type).find((r) => r.properties[property]?.toLowerCase() === wanted);
  }

  list(type: ObjectType): CrmRecord[] {
    return [...this.records.values()].filter((r) => r.type === type && !r.archived);
  }

  get contacts(): CrmRecord[] {
    return this.list('contacts');
  }

  get deals(): CrmRecord[] {
    return this.list('deals');
  }

  get communications(): CrmRecord[] {
    return this.list('communications');
  }

  get tasks(): CrmRecord[] {
    return this.list('tasks');
  }

  /** What search sees of a record now: promoted to the latest write once its indexing delay has passed. */
  searchView(record: CrmRecord): PropertyValues | undefined {
    if (record.indexDueAt <= this.now()) record.indexed = { ...record.properties };
    return record.indexed;
  }

  /** Stores both directions. Returns undefined when the type id does not join these two types. */
  associate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string, typeId: number): AssociationType | undefined {
    const type = associationTypeById(fromType, typeId);
    if (!type || type.to !== toType) return undefined;
    this.addEdge({ fromType, fromId, toType, toId, typeId, category: 'HUBSPOT_DEFINED' });
    this.addEdge({ fromType: toType, fromId: toId, toType: fromType, toId: fromId, typeId: type.reverseTypeId, category: 'HUBSPOT_DEFINED' });
    return type;
  }

  associateDefault(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): AssociationType | undefined {
    const type = defaultAssociationType(fromType, toType);
    return type && this.associate(fromType, fromId, toType, toId, type.typeId);
  }

  /** Removes every association between the two records, both directions. */
  dissociate(fromType: ObjectType, fromId: string, toType: ObjectType, toId: string): void {
    const joins = (e: AssociationEdge) =>
      (e.fromType === fromType && e.fromId === fromId && e.toType === toType && e.toId === toId) ||
      (e.fromType === toType && e.fromId === toId && e.toType === fromType && e.toId === fromId);
    for (let i = this.associations.length - 1; i >= 0; i -= 1) {
      const edge = this.associations[i];
      if (edge && joins(edge)) this.associations.splice(i, 1);
    }
  }

  associationsOf(fromType: ObjectType, fromId: string, toType: ObjectType): AssociationEdge[] {
    return this.associations.filter((e) => e.fromType === fromType && e.fromId === fromId && e.toType === toType);
  }

  /** Ids of `toType` records associated with a record: e.g. `associatedIds('communications', id, 'contacts')`. */
  associatedIds(fromType: ObjectType, fromId: string, toType: ObjectType): string[] {
    return [...new Set(this.associationsOf(fromType, fromId, toType).map((e) => e.toId))];
  }

  private addEdge(edge: AssociationEdge): void {
    const exists = this.associations.some(
      (e) => e.fromType === edge.fromType && e.fromId === edge.fromId && e.toType === edge.toType && e.toId === edge.toId && e.typeId === edge.typeId,
    );
    if (!exists) this.associations.push(edge);
  }

  private write(record: CrmRecord, values: PropertyValues, options: { indexed?: boolean }): void {
    const defs = this.properties[record.type];
    for (const [name, value] of Object.entries(values)) {
      const def = defs.get(name);
      if (value === null || value === '') record.properties[name] = null;
      else record.properties[name] = def ? normaliseValue(def, value) : value;
    }
    Object.assign(record.properties, this.systemProperties(record));
    const now = this.now();
    record.indexDueAt = options.indexed ? now : now + this.searchIndexDelayMs;
    if (options.indexed) record.indexed = { ...record.properties };
  }

  /** The properties HubSpot maintains itself: ids, dates, calculated phones, a deal's closed flags. */
  private systemProperties(record: CrmRecord): PropertyValues {
    const created = new Date(record.createdAt).toISOString();
    const modified = new Date(record.updatedAt).toISOString();
    switch (record.type) {
      case 'contacts':
        return { hs_object_id: record.id, createdate: created, lastmodifieddate: modified, ...calculatedPhoneProperties(record.properties) };
      case 'deals': {
        const stage = record.properties.dealstage;
        return {
          hs_object_id: record.id,
          createdate: created,
          hs_lastmodifieddate: modified,
          hs_is_closed: String(stage === 'closedwon' || stage === 'closedlost'),
          hs_is_closed_won: String(stage === 'closedwon'),
        };
      }
      case 'communications':
      case 'tasks':
        return { hs_object_id: record.id, hs_createdate: created, hs_lastmodifieddate: modified };
    }
  }
}
