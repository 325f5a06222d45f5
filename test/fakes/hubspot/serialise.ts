import type { CrmRecord, FakePortal, PropertyValues } from './fake-portal';
import { isoTime } from './http-helpers';
import type { ObjectType } from './object-types';
import { defaultReadProperties } from './property-schema';

/** Returned with every read whatever was asked for. */
const alwaysReturned: Record<ObjectType, string[]> = {
  contacts: ['hs_object_id', 'createdate', 'lastmodifieddate'],
  deals: ['hs_object_id', 'createdate', 'hs_lastmodifieddate'],
  communications: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
  tasks: ['hs_object_id', 'hs_createdate', 'hs_lastmodifieddate'],
};

/** `properties=a,b` (GET) or `["a","b"]` (POST bodies) → names; undefined when the request named none. */
export function requestedProperties(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.flatMap((v) => (typeof v === 'string' ? v.split(',') : []));
  if (typeof value === 'string' && value !== '') return value.split(',');
  return undefined;
}

/**
 * A SimplePublicObject: the properties requested (unknown names left out, known ones without a value as null),
 * or the type's defaults. `values` lets search answer what it indexed rather than the latest write.
 */
export function objectJson(portal: FakePortal, record: CrmRecord, requested: string[] | undefined, values: PropertyValues = record.properties) {
  const defs = portal.properties[record.type];
  const names = new Set([...(requested ?? defaultReadProperties[record.type]), ...alwaysReturned[record.type]]);
  const properties: PropertyValues = {};
  for (const name of names) if (defs.has(name) || name in values) properties[name] = values[name] ?? null;
  return { id: record.id, properties, createdAt: isoTime(record.createdAt), updatedAt: isoTime(record.updatedAt), archived: record.archived };
}

/** The envelope of every batch answer. */
export function batchJson<T>(results: T[], startedAt: number, errors: unknown[] = []) {
  const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt: isoTime(startedAt), completedAt: isoTime(Date.now()) };
  if (errors.length > 0) Object.assign(body, { numErrors: errors.length, errors });
  return body;
}
