import express from 'express';
import helmet from 'helmet';
import type { Router } from 'express';
import type { Logger } from '../core/observability/logger';
import { jsonErrorHandler, sendError } from './http-errors';

/** Builds the express app from routers; each router brings its own body parsing and auth. */
export function createApp(deps: { logger: Logger; routers: Router[] }): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  app.use(helmet());
  for (const router of deps.routers) app.use(router);
  app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'No such endpoint'));
  app.use(jsonErrorHandler(deps.logger));
  return app;
}
