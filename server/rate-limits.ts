import type express from 'express';
import type { Request, Response } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import { INSTALL_PATH as HUBSPOT_INSTALL_PATH, OAUTH_CALLBACK_PATH as HUBSPOT_CALLBACK_PATH } from '../connectors/hubspot/oauth/install-routes';
import { INSTALL_PATH as SALESFORCE_INSTALL_PATH, OAUTH_CALLBACK_PATH as SALESFORCE_CALLBACK_PATH } from '../connectors/salesforce/oauth/install-routes';
import {
  ADMIN_UI_PATH as ZENDESK_ADMIN_PATH, CONNECT_PATH as ZENDESK_CONNECT_PATH, INSTALL_PATH as ZENDESK_INSTALL_PATH,
  OAUTH_CALLBACK_PATH as ZENDESK_CALLBACK_PATH,
} from '../connectors/zendesk/install/install-routes';
import type { RateLimits } from './config';
import { html } from './console/html';
import { sendPublicPage } from './console/layout';
import { sendError } from './http-errors';

const WINDOW_MS = 60_000;

/** What the person who hit a limit reads: what happened, what to do. */
function refuse(what: string, json: boolean) {
  return (_req: Request, res: Response) => {
    const seconds = res.get('Retry-After') ?? '60';
    const message = `Too many ${what} from your address. Wait ${seconds} seconds and try again; if you are behind a shared address, ask your operator to raise the limit.`;
    if (json) sendError(res, 429, 'RATE_LIMITED', message, { retry_after_seconds: Number(seconds) });
    else sendPublicPage(res, { title: 'Too many attempts', status: 429, body: html`<p role="alert">${message}</p>` });
  };
}

function limiter(limit: number, what: string, extra: Partial<Options> = {}, json = false) {
  // Memory store: per process, which is enough against guessing (a few processes multiply the limit by a few).
  return rateLimit({ windowMs: WINDOW_MS, limit, standardHeaders: 'draft-8', legacyHeaders: false, handler: refuse(what, json), ...extra });
}

/**
 * Per-client-IP limits on the public endpoints where an attacker gains by repeating: guessing the admin token
 * (console sign-in, admin API), guessing connect codes, and OAuth starts and callbacks (each does database work,
 * a callback a token exchange, before anyone is authenticated). Meta's webhook and the platforms' signed callbacks
 * are left alone: they are authenticated by signature first, and a limit there would drop legitimate bursts.
 */
export function applyRateLimits(app: express.Express, limits: RateLimits): void {
  app.post('/admin/sign-in', limiter(limits.signIn, 'sign-in attempts'));
  // Only refused tokens count: a busy integration with the right token is never slowed.
  app.use('/api/v1', limiter(limits.apiAuthFailures, 'requests with a wrong token', {
    skipSuccessfulRequests: true, requestWasSuccessful: (_req, res) => res.statusCode !== 401,
  }, true));
  const connectCode = limiter(limits.connectCode, 'connect-code attempts');
  app.post([ZENDESK_CONNECT_PATH, HUBSPOT_INSTALL_PATH, SALESFORCE_INSTALL_PATH], connectCode);
  const oauth = limiter(limits.oauth, 'sign-in and install attempts');
  app.post([ZENDESK_ADMIN_PATH, ZENDESK_INSTALL_PATH], oauth);
  app.get([
    HUBSPOT_INSTALL_PATH, SALESFORCE_INSTALL_PATH, ZENDESK_CALLBACK_PATH, HUBSPOT_CALLBACK_PATH, SALESFORCE_CALLBACK_PATH,
    '/admin/sign-in/:platform', '/admin/sign-in/:platform/check', '/admin/sign-in/:platform/callback',
  ], oauth);
}
