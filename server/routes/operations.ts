import { Router } from 'express';
import type { Db } from '../../core/db/connect';
import type { Metrics } from '../../core/observability/metrics';

/** Liveness, readiness (database and queue reachable) and Prometheus metrics. */
export function operationsRoutes(deps: { db: Db; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await deps.db.raw("select 1 from graphile_worker._private_jobs limit 1");
      res.json({ status: 'ready', database: 'ok', queue: 'ok' });
    } catch (err) {
      res.status(503).json({ status: 'unavailable', error: { code: 'DATABASE_UNAVAILABLE', message: err instanceof Error ? err.message : 'database unreachable' } });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
