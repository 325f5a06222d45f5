import { serialise } from './query-routes';
import { apiVersion, asResult, type RestRequest, type RestResult } from './rest-types';
import { fromRecordErrors, jsonParserError, notFound, restError, type RecordError } from './salesforce-errors';
import type { ObjectDef } from './schema';

type SaveOutcome = { id: string; created?: boolean } | { errors: RecordError[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const notAnObject = () => asResult(jsonParserError('Cannot deserialize instance of the sObject from an array or scalar value'));

/** Upsert one record by an External Id field: update the single match, create when none, 300 when several. */
function upsertOne(req: RestRequest, def: ObjectDef, fieldName: string, value: string, fields: Record<string, unknown>): SaveOutcome | { multiple: string[] } {
  const field = def.fields.get(fieldName.toLowerCase());
  if (!field || !(field.externalId || field.name === 'Id')) {
    return { errors: [{ statusCode: 'INVALID_FIELD', message: `Field ${fieldName} is not an External ID or indexed field for ${def.name}`, fields: [] }] };
  }
  const { [field.name]: _ignored, ...rest } = Object.fromEntries(Object.entries(fields).map(([k, v]) => [def.fields.get(k.toLowerCase())?.name ?? k, v]));
  const found = field.name === 'Id' ? [req.org.find(def, value)].filter((r) => r !== undefined) : req.org.findByField(def, field, value);
  if (found.length > 1) return { multiple: found.map((r) => `/services/data/${req.version}/sobjects/${def.name}/${r.Id}`) };
  const existing = found[0];
  if (existing) {
    const updated = req.org.update(def, existing.Id, rest);
    return 'errors' in updated ? updated : { id: updated.id, created: false };
  }
  const inserted = req.org.insert(def, field.name === 'Id' ? rest : { ...rest, [field.name]: value });
  return 'errors' in inserted ? inserted : { id: inserted.id, created: true };
}

/** `/sobjects/<Type>[/<id> | /<ExtField>/<value>]`: single-record create, read, update, upsert, delete. */
export function sobject(req: RestRequest, segments: string[]): RestResult {
  const [typeName, idOrField, value, ...extra] = segments;
  const def = typeName === undefined ? undefined : req.org.object(typeName);
  if (!def || extra.length > 0) return asResult(notFound());
  if (idOrField === undefined) {
    if (req.method !== 'POST') return asResult(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,POST`));
    if (!isPlainObject(req.body)) return notAnObject();
    const saved = req.org.insert(def, req.body);
    return 'errors' in saved ? asResult(fromRecordErrors(saved.errors)) : { status: 201, body: { id: saved.id, success: true, errors: [] } };
  }
  if (value !== undefined) {
    if (req.method !== 'PATCH') return asResult(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are PATCH`));
    if (!isPlainObject(req.body)) return notAnObject();
    const outcome = upsertOne(req, def, idOrField, value, req.body);
    if ('multiple' in outcome) return { status: 300, body: outcome.multiple };
    if ('errors' in outcome) return asResult(fromRecordErrors(outcome.errors));
    return { status: outcome.created ? 201 : 200, body: { id: outcome.id, success: true, errors: [], created: outcome.created } };
  }
  const record = req.org.find(def, idOrField);
  if (req.method === 'GET') {
    if (!record) return asResult(notFound());
    const wanted = req.query.get('fields')?.split(',').filter((f) => f !== '') ?? [...def.fields.values()].map((f) => f.name);
    return { status: 200, body: serialise(req, def, record, wanted) };
  }
  if (req.method === 'PATCH') {
    if (!record) return asResult(notFound());
    if (!isPlainObject(req.body)) return notAnObject();
    const saved = req.org.update(def, record.Id, req.body);
    return 'errors' in saved ? asResult(fromRecordErrors(saved.errors)) : { status: 204 };
  }
  if (req.method === 'DELETE') return req.org.delete(def, idOrField) ? { status: 204 } : asResult(notFound());
  return asResult(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET,PATCH,DELETE`));
}

/**
 * `DELETE /composite/sobjects?ids=<id>,<id>&allOrNone=false` (API ≥ 42.0): at most 200 ids of any types, one
 * `{ id, success, errors }` per id in order. An id no record has (never existed, or deleted already) fails with
 * ENTITY_IS_DELETED **[U]: Salesforce tells the two apart (INVALID_CROSS_REFERENCE_KEY for a malformed or unknown id)**.
 */
function deleteCollection(req: RestRequest): RestResult {
  if (apiVersion(req.version) < 42) return asResult(notFound());
  const ids = (req.query.get('ids') ?? '').split(',').filter((id) => id !== '');
  if (ids.length === 0) return asResult(restError(400, 'MISSING_ARGUMENT', 'ids not specified'));
  if (ids.length > 200) return asResult(restError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call'));
  const body = ids.map((id) => {
    const deleted = [...req.org.records.keys()].some((name) => {
      const def = req.org.object(name);
      return def !== undefined && req.org.delete(def, id);
    });
    return deleted
      ? { id, success: true, errors: [] }
      : { id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] };
  });
  return { status: 200, body };
}

const rolledBack: RecordError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

/**
 * sObject Collections (§2.1, §6): `POST /composite/sobjects` (create), `PATCH /composite/sobjects` (update by Id),
 * `PATCH /composite/sobjects/<Type>/<ExtField>` (upsert, API ≥ 46.0). At most 200 records; each needs
 * `attributes.type`. HTTP 200 with one `{ id, success, errors[, created] }` per record, in order; with `allOrNone`
 * one failure rolls everything back and the valid records report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
export function collection(req: RestRequest, segments: string[]): RestResult {
  if (req.method === 'DELETE' && segments.length === 0) return deleteCollection(req);
  const upsert = segments.length === 2;
  if (apiVersion(req.version) < (upsert ? 46 : 42) || (segments.length !== 0 && !upsert)) return asResult(notFound());
  if (!(req.method === 'POST' && segments.length === 0) && req.method !== 'PATCH') {
    return asResult(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are ${upsert ? 'PATCH' : 'POST,PATCH'}`));
  }
  if (!isPlainObject(req.body) || !Array.isArray(req.body.records)) return asResult(jsonParserError("The request body must be an object with a 'records' array"));
  const records: unknown[] = req.body.records;
  const allOrNone = req.body.allOrNone === true;
  // [U] wording; the 200-record cap itself is documented (§6).
  if (records.length > 200) return asResult(restError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call'));
  const upsertType = upsert ? req.org.object(segments[0] ?? '') : undefined;
  if (upsert && !upsertType) return asResult(notFound());
  const snapshot = allOrNone ? req.org.snapshot() : undefined;
  const outcomes = records.map((record): SaveOutcome => {
    if (!isPlainObject(record)) return { errors: [{ statusCode: 'JSON_PARSER_ERROR', message: 'Each record must be an object', fields: [] }] };
    const attributes = isPlainObject(record.attributes) ? record.attributes : {};
    const def = typeof attributes.type === 'string' ? req.org.object(attributes.type) : undefined;
    if (!def) return { errors: [{ statusCode: 'INVALID_TYPE', message: 'Must specify a valid type in attributes for every record', fields: [] }] };
    if (upsertType && def !== upsertType) return { errors: [{ statusCode: 'INVALID_TYPE', message: `Record type ${def.name} does not match ${upsertType.name}`, fields: [] }] };
    if (upsertType) {
      const fieldName = segments[1] ?? '';
      const key = Object.keys(record).find((k) => k.toLowerCase() === fieldName.toLowerCase());
      const value = key === undefined ? undefined : record[key];
      if (typeof value !== 'string' || value === '') return { errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${fieldName} not specified`, fields: [] }] };
      const outcome = upsertOne(req, def, fieldName, value, record);
      return 'multiple' in outcome ? { errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `${fieldName}: more than one record found for external id field: ${outcome.multiple.join(', ')}`, fields: [] }] } : outcome;
    }
    if (req.method === 'POST') {
      if ('Id' in record) return { errors: [{ statusCode: 'INVALID_FIELD', message: 'Cannot specify Id in an insert call', fields: ['Id'] }] };
      return req.org.insert(def, record);
    }
    // Field names are case-insensitive in Salesforce; jsforce sends `id` in collection updates.
    const idKey = Object.keys(record).find((k) => k.toLowerCase() === 'id');
    const id = idKey === undefined ? undefined : record[idKey];
    if (typeof id !== 'string') return { errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] };
    return req.org.update(def, id, record);
  });
  const failed = outcomes.some((o) => 'errors' in o);
  if (snapshot && failed) req.org.restore(snapshot);
  const body = outcomes.map((o) => {
    if ('errors' in o) return { id: null, success: false, errors: o.errors, ...(upsert ? { created: false } : {}) };
    if (snapshot && failed) return { id: null, success: false, errors: [rolledBack], ...(upsert ? { created: false } : {}) };
    return { id: o.id, success: true, errors: [], ...(upsert ? { created: o.created ?? false } : {}) };
  });
  return { status: 200, body };
}
