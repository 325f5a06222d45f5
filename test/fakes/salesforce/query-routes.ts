import crypto from 'node:crypto';
import type { SfRecord } from './fake-org';
import { asResult, type RestRequest, type RestResult } from './rest-types';
import { invalidField, invalidType, malformedQuery, malformedSearch, notFound } from './salesforce-errors';
import type { ObjectDef } from './schema';
import { matches, parseSoql, SoqlError, type Where } from './soql';
import { parseSosl, termMatches } from './sosl';

/** `attributes` as Salesforce puts them on every record in an answer. */
export function serialise(req: RestRequest, def: ObjectDef, record: SfRecord, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: def.name, url: `/services/data/${req.version}/sobjects/${def.name}/${record.Id}` } };
  for (const field of fields) {
    const canonical = def.fields.get(field.toLowerCase())?.name ?? field;
    out[canonical] = record[canonical] ?? null;
  }
  return out;
}

/** The first field the object lacks, across select list, WHERE and ORDER BY. */
function unknownField(def: ObjectDef, fields: string[], where: Where | undefined, orderBy: string | undefined): string | undefined {
  return [...fields, ...(where?.conditions.map((c) => c.field) ?? []), ...(orderBy ? [orderBy] : [])].find((f) => !def.fields.has(f.toLowerCase()));
}

const fieldName = (def: ObjectDef) => (f: string) => def.fields.get(f.toLowerCase())?.name ?? f;

/** Page size: 2,000 unless `Sforce-Query-Options: batchSize=n` (200–2,000) asks for fewer (§2.1). */
function pageSize(req: RestRequest): number {
  const asked = Number(/batchSize=(\d+)/i.exec(req.headers['sforce-query-options'] ?? '')?.[1]);
  return Number.isFinite(asked) && asked >= 200 ? Math.min(asked, 2000) : 2000;
}

function page(req: RestRequest, objectName: string, records: Array<Record<string, unknown>>, totalSize: number): RestResult {
  const size = pageSize(req);
  const body: Record<string, unknown> = { totalSize, done: records.length <= size, records: records.slice(0, size) };
  if (records.length > size) {
    const locator = `01g${crypto.randomBytes(6).toString('hex')}-${size}`;
    req.org.cursors.set(locator, { objectName, records: records.slice(size) });
    body.nextRecordsUrl = `/services/data/${req.version}/query/${locator}`;
  }
  return { status: 200, body };
}

/** `GET /query?q=` (SOQL, §2.1). */
export function query(req: RestRequest): RestResult {
  const soql = req.query.get('q');
  if (!soql) return asResult(malformedQuery('A query string has to be specified'));
  let parsed;
  try {
    parsed = parseSoql(soql);
  } catch (error) {
    if (error instanceof SoqlError) return asResult(malformedQuery(`\n${soql}\n^\nERROR at Row:1:Column:1\n${error.message}`));
    throw error;
  }
  if (parsed.object.toLowerCase() === 'userpermissionaccess') return userPermissionAccess(req, parsed.fields, parsed.where !== undefined);
  const def = req.org.object(parsed.object);
  if (!def) return asResult(invalidType(parsed.object));
  const missing = unknownField(def, parsed.fields, parsed.where, parsed.orderBy?.field);
  if (missing) return asResult(invalidField(missing, def.name));
  const name = fieldName(def);
  let found = req.org.all(def.name).filter((r) => matches(r, parsed.where, name));
  if (parsed.orderBy) {
    const key = name(parsed.orderBy.field);
    const sign = parsed.orderBy.descending ? -1 : 1;
    // Nulls first ascending, as SOQL sorts by default.
    found = [...found].sort((a, b) => sign * compare(a[key], b[key]));
  }
  if (parsed.limit !== undefined) found = found.slice(0, parsed.limit);
  return page(req, def.name, found.map((r) => serialise(req, def, r, parsed.fields)), found.length);
}

/**
 * `SELECT Permissions… FROM UserPermissionAccess`: one row, the session user's effective system permissions (profile,
 * permission sets and groups together). Only the permissions the fake models are columns; it takes no WHERE [U: the
 * object is filterable on Salesforce, but its one row is always the running user's].
 */
function userPermissionAccess(req: RestRequest, fields: string[], filtered: boolean): RestResult {
  const user = req.org.users.get(req.userId);
  if (!user) return asResult(notFound());
  if (filtered) return asResult(malformedQuery('the fake answers UserPermissionAccess without WHERE: its one row is the running user\'s'));
  const record: Record<string, unknown> = { attributes: { type: 'UserPermissionAccess' } };
  const held: Record<string, boolean> = user.permissions;
  for (const field of fields) {
    const found = Object.entries(held).find(([name]) => `permissions${name}`.toLowerCase() === field.toLowerCase());
    if (found === undefined) return asResult(invalidField(field, 'UserPermissionAccess'));
    record[`Permissions${found[0]}`] = found[1];
  }
  return { status: 200, body: { totalSize: 1, done: true, records: [record] } };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  return String(a) < String(b) ? -1 : 1;
}

/** `GET /query/<locator>` (queryMore). Locators are single use here [U: Salesforce keeps them ~15 min]. */
export function queryMore(req: RestRequest, locator: string): RestResult {
  const cursor = req.org.cursors.get(locator);
  if (!cursor) return asResult(notFound());
  req.org.cursors.delete(locator);
  return page(req, cursor.objectName, cursor.records, cursor.records.length);
}

/** `GET /search?q=` (SOSL, §3.1): sees records only once the org's index lag has passed. */
export function search(req: RestRequest): RestResult {
  const sosl = req.query.get('q');
  if (!sosl) return asResult(malformedSearch('No search term found. The search term must be at least 2 characters long.'));
  let parsed;
  try {
    parsed = parseSosl(sosl);
  } catch (error) {
    if (error instanceof SoqlError) return asResult(malformedSearch(error.message));
    throw error;
  }
  const searchRecords: Array<Record<string, unknown>> = [];
  for (const target of parsed.returning) {
    const def = req.org.object(target.object);
    if (!def) return asResult(invalidType(target.object));
    const missing = unknownField(def, target.fields, target.where, undefined);
    if (missing) return asResult(invalidField(missing, def.name));
    const fields = [...def.fields.values()].filter((f) => {
      if (parsed.group === 'PHONE') return f.type === 'phone';
      if (parsed.group === 'EMAIL') return f.type === 'email';
      if (parsed.group === 'NAME') return def.nameFields.includes(f.name);
      return ['string', 'textarea', 'phone', 'email', 'picklist'].includes(f.type);
    });
    const hits = req.org
      .searchable(def)
      .filter((r) => fields.some((f) => typeof r[f.name] === 'string' && termMatches(parsed.term, String(r[f.name]), f.type === 'phone')))
      .filter((r) => matches(r, target.where, fieldName(def)))
      .slice(0, target.limit ?? parsed.limit);
    searchRecords.push(...hits.map((r) => serialise(req, def, r, target.fields)));
  }
  return { status: 200, body: { searchRecords: searchRecords.slice(0, parsed.limit) } };
}
