import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { PushInstance } from './fake-account';
import type { ZendeskFakeState } from './fake-state';
import { accountOf, bearerToken, sendError } from './http-helpers';
import { importResources, resourcesCreatedEvent } from './push-import';
import { pushBodySchema } from './push-schema';
import { forbidden, recordInvalid, unauthorized, type FieldError } from './zendesk-errors';

export interface PushRouteDeps {
  state: ZendeskFakeState;
  /** Largest accepted `external_resources` (the docs' 100; the schema's 256 is §7 open item 2). */
  maxResources: number;
  /** Posts `{ events }` to the instance's event_callback_url, in the background. */
  deliverEvents(url: string, events: unknown[]): void;
}

const instanceBody = z.object({ instance_push_id: z.string().min(1) });
const reportErrorBody = z.object({
  instance_push_id: z.string().min(1),
  external_id: z.string().min(1),
  description: z.string().max(511).optional(),
  request_id: z.string().optional(),
});

/** The Channel framework endpoints under /api/v2/any_channel, authorised by the push token (§1.4). */
export function pushRouter(deps: PushRouteDeps): express.Router {
  const { state } = deps;
  const router = express.Router();
  const bodySchema = pushBodySchema(deps.maxResources);

  /** The push token names one integration account; a token of another account, or none, is 401. */
  function instanceFor(req: Request, res: Response, instancePushId: string): PushInstance | undefined {
    const token = bearerToken(req);
    const instances = [...accountOf(req).pushInstances.values()];
    if (token === undefined || !instances.some((i) => i.token === token)) {
      sendError(res, unauthorized());
      return undefined;
    }
    const instance = instances.find((i) => i.instancePushId === instancePushId && i.token === token);
    if (!instance) sendError(res, forbidden());
    return instance;
  }

  router.post('/push', (req: Request, res: Response) => {
    const parsed = bodySchema.safeParse(req.body);
    if (!parsed.success) {
      if (!bearerToken(req)) return sendError(res, unauthorized());
      return sendError(res, recordInvalid(fieldErrors(parsed.error)));
    }
    const instance = instanceFor(req, res, parsed.data.instance_push_id);
    if (!instance) return;
    const account = accountOf(req);
    const { results, events } = importResources(account, parsed.data.external_resources);
    res.status(200).json({ results });
    if (events.length > 0 && instance.eventCallbackUrl !== undefined) {
      deps.deliverEvents(instance.eventCallbackUrl, [resourcesCreatedEvent(account, instance, parsed.data.request_id, events, account.timestamp())]);
    }
  });

  router.post('/validate_token', (req: Request, res: Response) => {
    const parsed = instanceBody.safeParse(req.body);
    if (!parsed.success) return sendError(res, recordInvalid(fieldErrors(parsed.error)));
    if (!instanceFor(req, res, parsed.data.instance_push_id)) return;
    res.status(200).end();
  });

  router.post('/channelback/report_error', (req: Request, res: Response) => {
    const parsed = reportErrorBody.safeParse(req.body);
    if (!parsed.success) return sendError(res, recordInvalid(fieldErrors(parsed.error)));
    if (!instanceFor(req, res, parsed.data.instance_push_id)) return;
    state.reportedErrors.push({ subdomain: accountOf(req).subdomain, body: parsed.data });
    res.status(200).end();
  });

  return router;
}

/** zod issues as Zendesk's `details`: keyed by the field path. */
function fieldErrors(error: z.ZodError): Record<string, FieldError[]> {
  const details: Record<string, FieldError[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || 'base';
    (details[key] ??= []).push({ description: issue.message, error: issue.code === 'too_big' ? 'TooLong' : 'InvalidValue' });
  }
  return details;
}
