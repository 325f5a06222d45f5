import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { hasScopes } from './api-guard';
import type { CrmRecord, FakePortal, PropertyValues } from './fake-portal';
import { parseBody, portalOf, sendError } from './http-helpers';
import { conflict, hubspotError, objectNotFound, validationError, type FakeHubSpotError } from './hubspot-errors';
import { associationTypeById, objectScope, resolveObjectType, type ObjectType } from './object-types';
import { requiredOnCreate, validateValue, type PropertyValueError } from './property-schema';
import { runSearch, searchBody, unknownSearchProperties } from './search';
import { batchJson, objectJson, requestedProperties } from './serialise';

/** Batch create, read, update: 100 inputs per request (reference §7.1). */
export const maxBatchInputs = 100;

// HubSpot coerces numbers and booleans to its string values.
const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? null : String(v)));
const properties = z.record(z.string(), propertyValue);
const associationInput = z.object({
  to: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
  types: z.array(z.object({ associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']), associationTypeId: z.number().int() })).min(1),
});
const createInput = z.object({ properties, associations: z.array(associationInput).optional(), objectWriteTraceId: z.string().optional() });
const id = z.union([z.string(), z.number()]).transform(String);
const batchMessage = `The maximum number of inputs supported in a batch request is ${maxBatchInputs}`;
const batchCreate = z.object({ inputs: z.array(createInput).min(1).max(maxBatchInputs, batchMessage) });
const batchRead = z.object({
  inputs: z.array(z.object({ id })).min(1).max(maxBatchInputs, batchMessage),
  properties: z.array(z.string()).optional(),
  idProperty: z.string().optional(),
});
const batchUpdate = z.object({
  inputs: z.array(z.object({ id, properties, idProperty: z.string().optional(), objectWriteTraceId: z.string().optional() })).min(1).max(maxBatchInputs, batchMessage),
});

const batchArchive = z.object({ inputs: z.array(z.object({ id })).min(1).max(maxBatchInputs, batchMessage) });
const gdprDelete = z.object({ objectId: id, idProperty: z.string().optional() });

const deletions = new WeakMap<FakePortal, string[]>();

/** Ids of the contacts GDPR-deleted in a portal, in order. */
export function gdprDeletions(portal: FakePortal): string[] {
  const list = deletions.get(portal) ?? [];
  deletions.set(portal, list);
  return list;
}

type Values = Record<string, string | null>;
type AssociationInput = z.infer<typeof associationInput>;

const types = new WeakMap<Request, ObjectType>();

function typeOf(req: Request): ObjectType {
  const type = types.get(req);
  if (!type) throw new Error('objectType param did not resolve');
  return type;
}

/** `/crm/v3/objects/{objectType}` and `/crm/objects/2026-03/{objectType}` (reference §7): create, read, update, batch, search. */
export function objectRouter(): express.Router {
  const router = express.Router();

  router.param('objectType', (req: Request, res: Response, next: NextFunction, value: string) => {
    const type = resolveObjectType(value);
    if (!type) return sendError(res, validationError(`Unable to infer object type from: ${value}`));
    types.set(req, type);
    next();
  });

  router.post('/:objectType/search', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'read')])) return;
    const body = parseBody(searchBody, req, res);
    if (!body) return;
    const portal = portalOf(req);
    const unknown = unknownSearchProperties(portal, type, body);
    if (unknown.length > 0) return sendError(res, validationError(`There was a problem with the request: unknown properties ${unknown.join(', ')}`));
    const { total, page, nextAfter } = runSearch(portal, type, body);
    const results = page.map((r) => objectJson(portal, r, body.properties, portal.searchView(r)));
    res.status(200).json(nextAfter === undefined ? { total, results } : { total, results, paging: { next: { after: String(nextAfter) } } });
  });

  router.post('/:objectType/batch/create', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'write')])) return;
    const body = parseBody(batchCreate, req, res);
    if (!body) return;
    const portal = portalOf(req);
    // All or nothing: one invalid input fails the whole batch and nothing is created [U].
    for (const input of body.inputs) {
      const refused = checkCreate(portal, type, input.properties, input.associations ?? []);
      if (refused) return sendError(res, refused);
    }
    const startedAt = Date.now();
    const created = body.inputs.map((input) => createRecord(portal, type, input.properties, input.associations ?? []));
    res.status(201).json(batchJson(created.map((r) => objectJson(portal, r, undefined)), startedAt));
  });

  router.post('/:objectType/batch/read', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'read')])) return;
    const body = parseBody(batchRead, req, res);
    if (!body) return;
    const portal = portalOf(req);
    const startedAt = Date.now();
    const found: CrmRecord[] = [];
    const missing: string[] = [];
    for (const { id: key } of body.inputs) {
      const record = body.idProperty === undefined ? portal.get(type, key) : portal.findBy(type, body.idProperty, key);
      if (record) found.push(record);
      else missing.push(key);
    }
    const results = found.map((r) => objectJson(portal, r, body.properties));
    if (missing.length === 0) return void res.status(200).json(batchJson(results, startedAt));
    const error = {
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `Could not get some ${type.toUpperCase().replace(/S$/, '')} objects, they may be deleted or not exist. Check that ids are valid.`,
      context: { ids: missing },
    };
    res.status(207).json(batchJson(results, startedAt, [error]));
  });

  router.post('/:objectType/batch/update', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'write')])) return;
    const body = parseBody(batchUpdate, req, res);
    if (!body) return;
    const portal = portalOf(req);
    for (const input of body.inputs) {
      const refused = invalidProperties(portal, type, input.properties);
      if (refused) return sendError(res, refused);
    }
    const startedAt = Date.now();
    const updated: CrmRecord[] = [];
    const missing: string[] = [];
    for (const input of body.inputs) {
      const record = input.idProperty === undefined ? portal.get(type, input.id) : portal.findBy(type, input.idProperty, input.id);
      if (!record) {
        missing.push(input.id);
        continue;
      }
      portal.update(record, input.properties);
      updated.push(record);
    }
    const results = updated.map((r) => objectJson(portal, r, Object.keys(body.inputs.find((i) => i.id === r.id)?.properties ?? {})));
    if (missing.length === 0) return void res.status(200).json(batchJson(results, startedAt));
    // [U]: whether HubSpot answers a batch update naming unknown ids with 207 or a 400 for the whole batch.
    res.status(207).json(batchJson(results, startedAt, [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Object not found', context: { ids: missing } }]));
  });

  // Archive: the records leave every list, read and search (restorable in HubSpot for 90 days). Ids the portal
  // does not have are ignored **[U]**. 204.
  router.post('/:objectType/batch/archive', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'write')])) return;
    const body = parseBody(batchArchive, req, res);
    if (!body) return;
    const portal = portalOf(req);
    for (const { id: recordId } of body.inputs) {
      const record = portal.get(type, recordId);
      if (record) record.archived = true;
    }
    res.status(204).end();
  });

  // GDPR delete (contacts only): the record and its associations are gone for good, not archived, and the id is
  // logged in `gdprDeletions(portal)`. `idProperty` (e.g. email) names the contact by that property. Unknown: 404.
  router.post('/:objectType/gdpr-delete', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (type !== 'contacts') return sendError(res, validationError(`GDPR delete is only for contacts, not ${type}`));
    if (!hasScopes(req, res, [objectScope(type, 'write')])) return;
    const body = parseBody(gdprDelete, req, res);
    if (!body) return;
    const portal = portalOf(req);
    const record = body.idProperty === undefined ? portal.get(type, body.objectId) : portal.findBy(type, body.idProperty, body.objectId);
    if (!record) return sendError(res, objectNotFound(body.objectId));
    portal.records.delete(record.id);
    for (let i = portal.associations.length - 1; i >= 0; i -= 1) {
      const edge = portal.associations[i];
      if (edge && (edge.fromId === record.id || edge.toId === record.id)) portal.associations.splice(i, 1);
    }
    gdprDeletions(portal).push(record.id);
    res.status(204).end();
  });

  router.post('/:objectType', (req: Request, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'write')])) return;
    const body = parseBody(createInput, req, res);
    if (!body) return;
    const portal = portalOf(req);
    const refused = checkCreate(portal, type, body.properties, body.associations ?? []);
    if (refused) return sendError(res, refused);
    const record = createRecord(portal, type, body.properties, body.associations ?? []);
    res.status(201).json(objectJson(portal, record, undefined));
  });

  router.get('/:objectType/:id', (req: Request<{ objectType: string; id: string }>, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'read')])) return;
    const portal = portalOf(req);
    const idProperty = typeof req.query.idProperty === 'string' ? req.query.idProperty : undefined;
    const record = idProperty === undefined ? portal.get(type, req.params.id) : portal.findBy(type, idProperty, req.params.id);
    if (!record) return sendError(res, objectNotFound(req.params.id));
    res.status(200).json(objectJson(portal, record, requestedProperties(req.query.properties)));
  });

  router.patch('/:objectType/:id', (req: Request<{ objectType: string; id: string }>, res: Response) => {
    const type = typeOf(req);
    if (!hasScopes(req, res, [objectScope(type, 'write')])) return;
    const body = parseBody(z.object({ properties }), req, res);
    if (!body) return;
    const portal = portalOf(req);
    const record = portal.get(type, req.params.id);
    if (!record) return sendError(res, objectNotFound(req.params.id));
    const refused = invalidProperties(portal, type, body.properties);
    if (refused) return sendError(res, refused);
    portal.update(record, body.properties);
    res.status(200).json(objectJson(portal, record, Object.keys(body.properties)));
  });

  return router;
}

/** 400 `Property values were not valid: [...]`, the JSON list HubSpot embeds in its message. */
function invalidProperties(portal: FakePortal, type: ObjectType, values: Values, required: string[] = []): FakeHubSpotError | undefined {
  const defs = portal.properties[type];
  const errors: PropertyValueError[] = [];
  for (const [name, value] of Object.entries(values)) {
    const error = validateValue(defs.get(name), name, value ?? '');
    if (error) errors.push(error);
  }
  for (const name of required) {
    if ((values[name] ?? '') === '') errors.push({ isValid: false, message: `Property "${name}" is required`, error: 'REQUIRED_PROPERTY', name });
  }
  return errors.length === 0 ? undefined : validationError(`Property values were not valid: ${JSON.stringify(errors)}`);
}

function checkCreate(portal: FakePortal, type: ObjectType, values: Values, associations: AssociationInput[]): FakeHubSpotError | undefined {
  const invalid = invalidProperties(portal, type, values, requiredOnCreate[type]);
  if (invalid) return invalid;
  if (type === 'contacts' && values.email) {
    const existing = portal.findBy('contacts', 'email', values.email);
    if (existing) return conflict(`Contact already exists. Existing ID: ${existing.id}`);
  }
  for (const association of associations) {
    for (const spec of association.types) {
      const target = associationTypeById(type, spec.associationTypeId);
      if (!target || spec.associationCategory !== 'HUBSPOT_DEFINED') {
        return validationError(`${spec.associationCategory} ${spec.associationTypeId} is not a valid association type from ${type}`);
      }
      if (!portal.get(target.to, association.to.id)) {
        return hubspotError(400, 'VALIDATION_ERROR', `One or more associations are invalid: ${target.to} ${association.to.id} does not exist`);
      }
    }
  }
  return undefined;
}

function createRecord(portal: FakePortal, type: ObjectType, values: PropertyValues, associations: AssociationInput[]): CrmRecord {
  const record = portal.create(type, values);
  for (const association of associations) {
    for (const spec of association.types) {
      const target = associationTypeById(type, spec.associationTypeId);
      if (target) portal.associate(type, record.id, target.to, association.to.id, spec.associationTypeId);
    }
  }
  return record;
}
