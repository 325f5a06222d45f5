import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { hasScopes } from './api-guard';
import type { HubSpotFakeState } from './fake-state';
import { parseBody, portalOf, sendError } from './http-helpers';
import { hubspotError, objectNotFound, validationError } from './hubspot-errors';
import { resolveObjectType, schemaScope } from './object-types';
import { definition } from './property-schema';

/** `DELETE /appinstalls/{v3|2026-03}/external-install` (§1.5): the app uninstalls itself; 204, every token dies. */
export function uninstallRouter(state: HubSpotFakeState): express.Router {
  const router = express.Router();
  router.delete('/external-install', (req: Request, res: Response) => {
    if (!hasScopes(req, res, ['oauth'])) return;
    state.uninstall(portalOf(req).portalId);
    res.status(204).end();
  });
  return router;
}

const outputFields = z.record(z.string(), z.unknown());

/**
 * `POST /automation/v4/actions/callbacks/{callbackId}/complete` and the batch `/callbacks/complete` (§6.4): finish a
 * workflow action that answered BLOCK. Only callback ids the fake handed out (`workflowActionRequest`), once each.
 */
export function callbackRouter(state: HubSpotFakeState): express.Router {
  const router = express.Router();
  const complete = (req: Request, res: Response, callbackId: string, fields: Record<string, unknown>): boolean => {
    const portalId = state.openCallbacks.get(callbackId);
    if (portalId === undefined || portalId !== portalOf(req).portalId) {
      sendError(res, objectNotFound(callbackId));
      return false;
    }
    state.openCallbacks.delete(callbackId);
    state.callbackCompletions.push({ callbackId, portalId, outputFields: fields });
    return true;
  };

  router.post('/callbacks/complete', (req: Request, res: Response) => {
    if (!hasScopes(req, res, ['automation'])) return;
    const body = parseBody(z.object({ inputs: z.array(z.object({ callbackId: z.string().min(1), outputFields })).min(1).max(100) }), req, res);
    if (!body) return;
    for (const input of body.inputs) if (!complete(req, res, input.callbackId, input.outputFields)) return;
    res.status(204).end();
  });

  router.post('/callbacks/:callbackId/complete', (req: Request<{ callbackId: string }>, res: Response) => {
    if (!hasScopes(req, res, ['automation'])) return;
    const body = parseBody(z.object({ outputFields }), req, res);
    if (!body) return;
    if (complete(req, res, req.params.callbackId, body.outputFields)) res.status(204).end();
  });
  return router;
}

const propertyCreate = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'internal names are lowercase letters, digits and underscores'),
  label: z.string().min(1),
  type: z.enum(['string', 'number', 'enumeration', 'datetime', 'bool']),
  fieldType: z.string().min(1),
  groupName: z.string().min(1),
  options: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
  hasUniqueValue: z.boolean().optional(),
});

/** `GET /crm/v3/properties/{objectType}/{name}` and `POST /crm/v3/properties/{objectType}`: an app's own properties. */
export function propertyRouter(): express.Router {
  const router = express.Router();

  router.get('/:objectType/:name', (req: Request<{ objectType: string; name: string }>, res: Response) => {
    const type = resolveObjectType(req.params.objectType);
    if (!type) return sendError(res, validationError(`Unable to infer object type from: ${req.params.objectType}`));
    if (!hasScopes(req, res, [schemaScope(type, 'read')])) return;
    const def = portalOf(req).properties[type].get(req.params.name);
    if (!def) return sendError(res, hubspotError(404, 'OBJECT_NOT_FOUND', `Property ${req.params.name} does not exist`));
    res.status(200).json(def);
  });

  router.post('/:objectType', (req: Request<{ objectType: string }>, res: Response) => {
    const type = resolveObjectType(req.params.objectType);
    if (!type) return sendError(res, validationError(`Unable to infer object type from: ${req.params.objectType}`));
    if (!hasScopes(req, res, [schemaScope(type, 'write')])) return;
    const body = parseBody(propertyCreate, req, res);
    if (!body) return;
    const defs = portalOf(req).properties[type];
    if (defs.has(body.name)) return sendError(res, hubspotError(409, 'OBJECT_ALREADY_EXISTS', `A property named '${body.name}' already exists.`));
    if (body.type === 'enumeration' && (body.options ?? []).length === 0) return sendError(res, validationError('An enumeration property needs options'));
    const created = definition({ ...body, options: body.options ?? [], hasUniqueValue: body.hasUniqueValue ?? false, hubspotDefined: false });
    defs.set(created.name, created);
    res.status(201).json(created);
  });

  return router;
}
