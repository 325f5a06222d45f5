import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { hasScopes } from './api-guard';
import type { AssociationEdge, FakePortal } from './fake-portal';
import { parseBody, portalOf, sendError } from './http-helpers';
import { objectNotFound, validationError } from './hubspot-errors';
import { defaultAssociationType, objectScope, objectTypeIds, resolveObjectType, type ObjectType } from './object-types';
import { batchJson } from './serialise';

/** batch/read takes at most 1000 inputs since 2025-02-10 (reference §7.3); the same cap for the other batches [U]. */
export const maxAssociationInputs = 1000;

const id = z.union([z.string(), z.number()]).transform(String);
const spec = z.object({ associationCategory: z.enum(['HUBSPOT_DEFINED', 'USER_DEFINED', 'INTEGRATOR_DEFINED']), associationTypeId: z.number().int() });
const limited = <T extends z.ZodType>(item: T) => z.object({ inputs: z.array(item).min(1).max(maxAssociationInputs) });
const batchCreate = limited(z.object({ from: z.object({ id }), to: z.object({ id }), types: z.array(spec).min(1) }));
const batchDefault = limited(z.object({ from: z.object({ id }), to: z.object({ id }) }));
const batchRead = limited(z.object({ id }));
const batchArchive = limited(z.object({ from: z.object({ id }), to: z.array(z.object({ id })).min(1) }));

type Pair = { from: ObjectType; to: ObjectType };

/** Both types of a path, or a 400 like HubSpot's for an unknown one. */
function pairOf(req: Request<Record<string, string>>, res: Response, fromKey: string, toKey: string): Pair | undefined {
  const from = resolveObjectType(req.params[fromKey] ?? '');
  const to = resolveObjectType(req.params[toKey] ?? '');
  if (!from || !to) {
    sendError(res, validationError(`Unable to infer object type from: ${from ? req.params[toKey] : req.params[fromKey]}`));
    return undefined;
  }
  return { from, to };
}

const labelsJson = (pair: Pair, fromId: string, toId: string) => ({
  fromObjectTypeId: objectTypeIds[pair.from],
  fromObjectId: Number(fromId),
  toObjectTypeId: objectTypeIds[pair.to],
  toObjectId: Number(toId),
  labels: [],
});

const associationTypesJson = (edges: AssociationEdge[]) => edges.map((e) => ({ category: e.category, typeId: e.typeId, label: null }));

/** Groups a record's edges by target: v4's `{ toObjectId, associationTypes }`. */
function targetsJson(portal: FakePortal, pair: Pair, fromId: string) {
  const edges = portal.associationsOf(pair.from, fromId, pair.to);
  return [...new Set(edges.map((e) => e.toId))].map((toId) => ({ toObjectId: Number(toId), associationTypes: associationTypesJson(edges.filter((e) => e.toId === toId)) }));
}

/** Associations v4 (reference §7.3): single default/labelled PUT, list, and the batch endpoints. */
export function associationRouter(): express.Router {
  const router = express.Router();

  router.put('/objects/:fromType/:fromId/associations/default/:toType/:toId', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'write')])) return;
    const portal = portalOf(req);
    const { fromId = '', toId = '' } = req.params;
    const missing = [portal.get(pair.from, fromId) ? undefined : fromId, portal.get(pair.to, toId) ? undefined : toId].find((x) => x !== undefined);
    if (missing !== undefined) return sendError(res, objectNotFound(missing));
    const type = portal.associateDefault(pair.from, fromId, pair.to, toId);
    if (!type) return sendError(res, validationError(`No default association type from ${pair.from} to ${pair.to}`));
    const result = (a: string, b: string, typeId: number) => ({ from: { id: a }, to: { id: b }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } });
    res.status(200).json(batchJson([result(fromId, toId, type.typeId), result(toId, fromId, type.reverseTypeId)], Date.now()));
  });

  router.put('/objects/:fromType/:fromId/associations/:toType/:toId', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'write')])) return;
    const specs = parseBody(z.array(spec).min(1), req, res);
    if (!specs) return;
    const portal = portalOf(req);
    const { fromId = '', toId = '' } = req.params;
    if (!portal.get(pair.from, fromId)) return sendError(res, objectNotFound(fromId));
    if (!portal.get(pair.to, toId)) return sendError(res, objectNotFound(toId));
    for (const s of specs) {
      if (s.associationCategory !== 'HUBSPOT_DEFINED' || !portal.associate(pair.from, fromId, pair.to, toId, s.associationTypeId)) {
        return sendError(res, validationError(`${s.associationCategory} ${s.associationTypeId} is not a valid association type from ${pair.from} to ${pair.to}`));
      }
    }
    res.status(201).json(labelsJson(pair, fromId, toId));
  });

  router.get('/objects/:fromType/:fromId/associations/:toType', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'read')])) return;
    const portal = portalOf(req);
    const fromId = req.params.fromId ?? '';
    if (!portal.get(pair.from, fromId)) return sendError(res, objectNotFound(fromId));
    res.status(200).json({ results: targetsJson(portal, pair, fromId) });
  });

  router.post('/associations/:fromType/:toType/batch/create', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'write')])) return;
    const body = parseBody(batchCreate, req, res);
    if (!body) return;
    const portal = portalOf(req);
    for (const input of body.inputs) {
      if (!portal.get(pair.from, input.from.id)) return sendError(res, objectNotFound(input.from.id));
      if (!portal.get(pair.to, input.to.id)) return sendError(res, objectNotFound(input.to.id));
      const invalid = input.types.find((s) => s.associationCategory !== 'HUBSPOT_DEFINED' || !isTypeBetween(pair, s.associationTypeId));
      if (invalid) return sendError(res, validationError(`${invalid.associationCategory} ${invalid.associationTypeId} is not a valid association type from ${pair.from} to ${pair.to}`));
    }
    const startedAt = Date.now();
    for (const input of body.inputs) for (const s of input.types) portal.associate(pair.from, input.from.id, pair.to, input.to.id, s.associationTypeId);
    res.status(201).json(batchJson(body.inputs.map((i) => labelsJson(pair, i.from.id, i.to.id)), startedAt));
  });

  router.post('/associations/:fromType/:toType/batch/associate/default', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'write')])) return;
    const body = parseBody(batchDefault, req, res);
    if (!body) return;
    const portal = portalOf(req);
    const type = defaultAssociationType(pair.from, pair.to);
    if (!type) return sendError(res, validationError(`No default association type from ${pair.from} to ${pair.to}`));
    for (const input of body.inputs) {
      if (!portal.get(pair.from, input.from.id)) return sendError(res, objectNotFound(input.from.id));
      if (!portal.get(pair.to, input.to.id)) return sendError(res, objectNotFound(input.to.id));
    }
    const startedAt = Date.now();
    for (const input of body.inputs) portal.associate(pair.from, input.from.id, pair.to, input.to.id, type.typeId);
    const results = body.inputs.map((i) => ({ from: { id: i.from.id }, to: { id: i.to.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: type.typeId } }));
    res.status(200).json(batchJson(results, startedAt));
  });

  router.post('/associations/:fromType/:toType/batch/read', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'read')])) return;
    const body = parseBody(batchRead, req, res);
    if (!body) return;
    const portal = portalOf(req);
    const startedAt = Date.now();
    const results = [];
    const errors = [];
    for (const { id: fromId } of body.inputs) {
      const to = targetsJson(portal, pair, fromId);
      if (to.length > 0) results.push({ from: { id: fromId }, to });
      else {
        errors.push({
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
          message: `No ${pair.to} is associated with ${pair.from} ${fromId}.`,
          context: { fromObjectId: [fromId] },
        });
      }
    }
    res.status(errors.length === 0 ? 200 : 207).json(batchJson(results, startedAt, errors));
  });

  router.post('/associations/:fromType/:toType/batch/archive', (req: Request<Record<string, string>>, res: Response) => {
    const pair = pairOf(req, res, 'fromType', 'toType');
    if (!pair || !hasScopes(req, res, [objectScope(pair.from, 'write')])) return;
    const body = parseBody(batchArchive, req, res);
    if (!body) return;
    const portal = portalOf(req);
    for (const input of body.inputs) for (const to of input.to) portal.dissociate(pair.from, input.from.id, pair.to, to.id);
    res.status(204).end();
  });

  return router;
}

function isTypeBetween(pair: Pair, typeId: number): boolean {
  const type = defaultAssociationType(pair.from, pair.to);
  return type !== undefined && type.typeId === typeId;
}
