import { Router } from 'express';
import { zendeskChannelbackRoutes } from './channelback-route';
import { ticketSolvedRoutes } from './csat/ticket-solved-route';
import { eventCallbackRoutes } from './install/event-callback-route';
import type { ZendeskRouteDeps } from './install/install-deps';
import { zendeskInstallRoutes } from './install/install-routes';
import { manifestRoutes, warnAboutManifest } from './install/manifest';

export type { ZendeskRouteDeps, NumberChoice } from './install/install-deps';
export { CONNECT_CODE_PURPOSE } from './install/install-deps';

/**
 * Everything Zendesk calls, under /connectors/zendesk: the integration manifest and the URLs it names
 * (admin UI and OAuth callback, channelback, event callbacks, clickthrough, healthcheck), and the CSAT webhook.
 */
export function zendeskRoutes(deps: ZendeskRouteDeps): Router {
  warnAboutManifest(deps, deps.logger);
  const router = Router();
  router.use(manifestRoutes(deps));
  router.use(zendeskInstallRoutes(deps));
  router.use(eventCallbackRoutes(deps));
  router.use(zendeskChannelbackRoutes(deps));
  router.use(ticketSolvedRoutes(deps));
  return router;
}
