/** The CRM object types the fake serves (reference §3.2 type ids, §7). */
export type ObjectType = 'contacts' | 'deals' | 'communications';

export const objectTypeIds: Record<ObjectType, string> = { contacts: '0-1', deals: '0-3', communications: '0-18' };

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
};

/** HubSpot takes a type by plural name, singular name or type id in paths. */
export function resolveObjectType(segment: string): ObjectType | undefined {
  return aliases[segment.toLowerCase()];
}

/** The scope a route needs per type: communications are guarded by the contacts scopes (reference §7.2). */
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
];

export function associationTypeById(from: ObjectType, typeId: number): AssociationType | undefined {
  return defaultAssociationTypes.find((t) => t.from === from && t.typeId === typeId);
}

export function defaultAssociationType(from: ObjectType, to: ObjectType): AssociationType | undefined {
  return defaultAssociationTypes.find((t) => t.from === from && t.to === to);
}
