import { Router } from 'express';
import type { HubSpotOAuthApp } from '../oauth/oauth-app';
import type { HubSpotRouteDeps } from '../route-deps';
import { verifiedHubSpotRequest } from '../signatures';
import { applyCrmEvents } from './apply-crm-events';
import { crmEventBatchSchema } from './crm-events';

/** The webhooks component's `targetUrl` (developer project, reference §2.2). */
export const WEBHOOKS_PATH = '/connectors/hubspot/webhooks';

/**
 * CRM webhooks (reference §6.2, §6.3): signed v1 and v3 with the app's client secret over the raw body (v3
 * decides when present, with its 5-minute timestamp window); unsigned, forged or stale requests get 401 and
 * nothing is done. Events are handled inline (a few indexed writes, well inside HubSpot's 5 seconds) and
 * deduplicated durably, then 200: HubSpot retries anything else for 24 hours.
 */
export function hubspotWebhookRoutes(deps: Pick<HubSpotRouteDeps, 'db' | 'logger' | 'publicUrl'> & { app: HubSpotOAuthApp; now?: () => number }): Router {
  const router = Router();
  const signed = verifiedHubSpotRequest({
    clientSecret: deps.app.clientSecret, publicUrl: deps.publicUrl, accept: ['v1', 'v3'],
    ...(deps.now === undefined ? {} : { now: deps.now }),
    onRefused: (check) => deps.logger.warn({ reason: check.reason }, 'HubSpot webhook refused: signature'),
  });
  router.post(WEBHOOKS_PATH, ...signed, async (req, res) => {
    const events = crmEventBatchSchema.safeParse(req.body);
    if (!events.success) {
      res.status(400).json({ code: 'MALFORMED', message: `Not a HubSpot webhook batch: ${events.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}` });
      return;
    }
    const applied = await applyCrmEvents(deps.db, events.data);
    deps.logger.info({ events: events.data.length, ...applied }, 'HubSpot webhook handled');
    res.status(200).json({ received: events.data.length, duplicates: applied.duplicates });
  });
  return router;
}
