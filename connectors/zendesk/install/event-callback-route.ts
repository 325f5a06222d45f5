import express, { Router } from 'express';
import { z } from 'zod';
import { callbackEvent, handleCallbackEvent, type EventOutcome } from './event-callbacks';
import type { ZendeskRouteDeps } from './install-deps';
import { EVENT_CALLBACK_PATH } from './manifest';
import { refuseInvalidUtf8 } from '../../../core/db/storable-text';

const envelope = z.object({ events: z.array(z.unknown()).max(1_000) });

/**
 * The manifest's event_callback_url (reference §1.8): batched events, each handled on its own, so one
 * malformed, forged or failing event never drops the others. The answer is 200 for any readable batch;
 * the outcomes in its body are for people reading logs, Zendesk ignores them.
 */
export function eventCallbackRoutes(deps: ZendeskRouteDeps): Router {
  const router = Router();
  router.post(EVENT_CALLBACK_PATH, express.json({ limit: '2mb', verify: refuseInvalidUtf8 }), async (req, res) => {
    const batch = envelope.safeParse(req.body);
    if (!batch.success) {
      res.status(400).json({ error: { code: 'INVALID_EVENTS', message: 'Expected a JSON body { "events": [ … ] } of at most 1,000 events' } });
      return;
    }
    const logger = deps.logger.child({ route: 'zendesk-events' });
    const outcomes: Array<{ type_id: string | null; outcome: EventOutcome }> = [];
    for (const raw of batch.data.events) {
      const event = callbackEvent.safeParse(raw);
      if (!event.success) {
        logger.warn({ issues: event.error.issues.map((i) => i.path.join('.')) }, 'Zendesk event callback: malformed event ignored');
        outcomes.push({ type_id: null, outcome: 'invalid' });
        continue;
      }
      try {
        outcomes.push({ type_id: event.data.type_id, outcome: await handleCallbackEvent(deps, event.data, logger) });
      } catch (err) {
        logger.error({ err, type: event.data.type_id }, 'Zendesk event callback failed');
        outcomes.push({ type_id: event.data.type_id, outcome: 'failed' });
      }
    }
    res.json({ outcomes });
  });
  return router;
}
