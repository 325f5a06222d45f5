/** The CRM object types the fake serves (reference §3.2 type ids, §7). */
export type ObjectType = 'contacts' | 'deals' | 'communications' | 'tasks';

/** Tasks' `0-27` is HubSpot's documented type id, not the reference's [U]. */
export const objectTypeIds: Record<ObjectType, string> = { contacts: '0-1', deals: '0-3', communications: '0-18', tasks: '0-27' };

const aliases: Record<string, ObjectType> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  communications: 'communications',
  communication: 'communications',
  '0-18': 'communications',
  tasks: 'tasks',
  task: 'tasks',
  '0-27': 'tasks',
};

/** HubSpot takes a type by plural name, singular name or type id in paths. */
export function resolveObjectType(segment: string): ObjectType | undefined {
  return aliases[segment.toLowerCase()];
}

/**
 * The scope a route needs per type: communications are guarded by the contacts scopes (reference §7.2), and so
 * are tasks (HubSpot's tasks guide lists `crm.objects.contacts.read`/`.write`; the reference does not) [U].
 */
export function objectScope(type: ObjectType, access: 'read' | 'write'): string {
  const owner = type === 'deals' ? 'deals' : 'contacts';
  return `crm.objects.${owner}.${access}`;
}

export function schemaScope(type: ObjectType, access: 'read' | 'write'): string {
  const owner = type === 'deals' ? 'deals' : 'contacts';
  return `crm.schemas.${owner}.${access}`;
}

export interface AssociationType {
  from: ObjectType;
  to: ObjectType;
  typeId: number;
  /** The type id of the same association read from the other side. */
  reverseTypeId: number;
}

/** HUBSPOT_DEFINED default association types between the served objects (reference §7.2, SDK `AssociationTypes`). */
export const defaultAssociationTypes: AssociationType[] = [
  { from: 'contacts', to: 'deals', typeId: 4, reverseTypeId: 3 },
  { from: 'deals', to: 'contacts', typeId: 3, reverseTypeId: 4 },
  { from: 'communications', to: 'contacts', typeId: 81, reverseTypeId: 82 },
  { from: 'contacts', to: 'communications', typeId: 82, reverseTypeId: 81 },
  { from: 'communications', to: 'deals', typeId: 85, reverseTypeId: 86 },
  { from: 'deals', to: 'communications', typeId: 86, reverseTypeId: 85 },
  // Task ↔ contact: HubSpot's association type list (task → contact 204, contact → task 203), not the reference [U].
  { from: 'tasks', to: 'contacts', typeId: 204, reverseTypeId: 203 },
  { from: 'contacts', to: 'tasks', typeId: 203, reverseTypeId: 204 },
];

export function associationTypeById(from: ObjectType, typeId: number): AssociationType | undefined {
  return defaultAssociationTypes.find((t) => t.from === from && t.typeId === typeId);
}

export function defaultAssociationType(from: ObjectType, to: ObjectType): AssociationType | undefined {
  return defaultAssociationTypes.find((t) => t.from === from && t.to === to);
}
