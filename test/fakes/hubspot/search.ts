import { z } from 'zod';
import type { CrmRecord, FakePortal, PropertyValues } from './fake-portal';
import type { ObjectType } from './object-types';

const operators = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'] as const;
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const filter = z.object({
  propertyName: z.string().min(1),
  operator: z.enum(operators),
  value: scalar.optional(),
  highValue: scalar.optional(),
  values: z.array(scalar).optional(),
});

/** The search body and its limits (reference §7.1: 5 groups × 6 filters, 200 per page, 10,000 per query). */
export const searchBody = z.object({
  filterGroups: z.array(z.object({ filters: z.array(filter).max(6) })).max(5).default([]),
  sorts: z
    .array(z.union([z.string(), z.object({ propertyName: z.string(), direction: z.enum(['ASCENDING', 'DESCENDING']) })]))
    .optional(),
  properties: z.array(z.string()).optional(),
  limit: z.number().int().min(0).max(200).default(10),
  after: z
    .union([z.string(), z.number()])
    .transform(Number)
    .pipe(z.number().int().min(0).max(9_999, 'paging beyond 10,000 results is not allowed'))
    .optional(),
  query: z.string().max(3000).optional(),
});

export type SearchBody = z.infer<typeof searchBody>;
export type Filter = z.infer<typeof filter>;

/** Property names a body filters or sorts on that the object type does not have. */
export function unknownSearchProperties(portal: FakePortal, type: ObjectType, body: SearchBody): string[] {
  const defs = portal.properties[type];
  const named = [
    ...body.filterGroups.flatMap((g) => g.filters.map((f) => f.propertyName)),
    ...(body.sorts ?? []).map((s) => (typeof s === 'string' ? s.replace(/^-/, '') : s.propertyName)),
  ];
  return [...new Set(named.filter((n) => !defs.has(n)))];
}

/**
 * Runs a search over what is indexed: records written less than the portal's indexing delay ago are missing,
 * or still show their previous values (reference §7.1). Groups are ORed, filters in a group ANDed.
 */
export function runSearch(portal: FakePortal, type: ObjectType, body: SearchBody): { total: number; page: CrmRecord[]; nextAfter: number | undefined } {
  const hits = portal.list(type).filter((record) => {
    const view = portal.searchView(record);
    if (!view) return false;
    if (body.query !== undefined && !matchesQuery(view, body.query)) return false;
    return body.filterGroups.length === 0 || body.filterGroups.some((group) => group.filters.every((f) => matches(view, f)));
  });
  const sorted = sortRecords(portal, hits, body.sorts ?? []);
  const offset = body.after ?? 0;
  const page = sorted.slice(offset, offset + body.limit);
  const nextAfter = offset + body.limit < sorted.length ? offset + body.limit : undefined;
  return { total: sorted.length, page, nextAfter };
}

function matches(view: PropertyValues, f: Filter): boolean {
  const actual = view[f.propertyName] ?? null;
  const has = actual !== null && actual !== '';
  const eq = (expected: string | undefined) => has && expected !== undefined && actual.toLowerCase() === expected.toLowerCase();
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'EQ':
      return eq(f.value);
    case 'NEQ':
      return !eq(f.value);
    case 'IN':
      return (f.values ?? []).some((v) => eq(v));
    case 'NOT_IN':
      return !(f.values ?? []).some((v) => eq(v));
    case 'CONTAINS_TOKEN':
      return has && containsToken(actual, f.value ?? '');
    case 'NOT_CONTAINS_TOKEN':
      return !has || !containsToken(actual, f.value ?? '');
    case 'BETWEEN':
      return has && compare(actual, f.value ?? '') >= 0 && compare(actual, f.highValue ?? '') <= 0;
    case 'LT':
      return has && compare(actual, f.value ?? '') < 0;
    case 'LTE':
      return has && compare(actual, f.value ?? '') <= 0;
    case 'GT':
      return has && compare(actual, f.value ?? '') > 0;
    case 'GTE':
      return has && compare(actual, f.value ?? '') >= 0;
  }
}

/** Numbers and dates compare by value (a datetime filter may be ms or ISO); anything else as text. */
function compare(a: string, b: string): number {
  const asNumber = (v: string) => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Date.parse(v));
  const [x, y] = [asNumber(a), asNumber(b)];
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return a.localeCompare(b);
}

/** A token is a word of the value; `*` is a wildcard inside the searched token. */
function containsToken(value: string, token: string): boolean {
  const pattern = new RegExp(`^${token.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return value
    .toLowerCase()
    .split(/[^\p{L}\p{N}@.+*-]+/u)
    .some((word) => pattern.test(word));
}

function matchesQuery(view: PropertyValues, query: string): boolean {
  const wanted = query.toLowerCase();
  return Object.values(view).some((v) => v?.toLowerCase().includes(wanted));
}

function sortRecords(portal: FakePortal, records: CrmRecord[], sorts: NonNullable<SearchBody['sorts']>): CrmRecord[] {
  const keys = sorts.map((s) =>
    typeof s === 'string' ? { name: s.replace(/^-/, ''), sign: s.startsWith('-') ? -1 : 1 } : { name: s.propertyName, sign: s.direction === 'DESCENDING' ? -1 : 1 },
  );
  return [...records].sort((a, b) => {
    for (const key of keys) {
      const x = portal.searchView(a)?.[key.name] ?? '';
      const y = portal.searchView(b)?.[key.name] ?? '';
      const order = compare(x, y);
      if (order !== 0) return order * key.sign;
    }
    return Number(a.id) - Number(b.id);
  });
}
