import express from 'express';
import helmet from 'helmet';
import type { Router } from 'express';
import type { Logger } from '../core/observability/logger';
import type { RateLimits } from './config';
import { jsonErrorHandler, sendError } from './http-errors';
import { applyRateLimits } from './rate-limits';

/** Private and loopback proxies: an X-Forwarded-For a client on the internet writes itself is not believed. */
const DEFAULT_TRUST_PROXY = 'loopback, linklocal, uniquelocal';

/**
 * Helmet's headers (nosniff, frame-ancestors and X-Frame-Options, referrer policy, …) for every answer, the raw
 * webhook path included. HSTS only when the public URL is https: over http it would be ignored at best, and
 * would pin a development host to https at worst.
 */
export function securityHeaders(publicUrl: string): ReturnType<typeof helmet> {
  return helmet({ strictTransportSecurity: publicUrl.startsWith('https://') ? { maxAge: 31_536_000, includeSubDomains: true } : false });
}

/** Builds the express app from routers; each router brings its own body parsing and auth. */
export function createApp(deps: {
  logger: Logger;
  routers: Router[];
  /** Decides HSTS; default http (none). */
  publicUrl?: string;
  /** Unset: no limits (tests that build an app of a few routers); the server's config always sets them. */
  rateLimits?: RateLimits;
  trustProxy?: string | number;
}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Rate limits key on req.ip, so only proxies we run may set it through X-Forwarded-For.
  app.set('trust proxy', deps.trustProxy ?? DEFAULT_TRUST_PROXY);
  app.use(securityHeaders(deps.publicUrl ?? 'http://localhost'));
  if (deps.rateLimits) applyRateLimits(app, deps.rateLimits);
  for (const router of deps.routers) app.use(router);
  app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'No such endpoint'));
  app.use(jsonErrorHandler(deps.logger));
  return app;
}
