import { Router } from 'express';
import { hubspotCardRoutes } from './card';
import { hubspotInstallRoutes } from './oauth/install-routes';
import type { HubSpotRouteDeps } from './route-deps';
import { hubspotWebhookRoutes } from './webhooks/webhook-routes';
import { hubspotWorkflowRoutes } from './workflow';

export { CONNECT_CODE_PURPOSE, type HubSpotRouteDeps } from './route-deps';
export { disconnectHubSpot, hubspotInstallationStatus } from './oauth/disconnect';
export { hubspotOAuthAppFromEnv, type HubSpotOAuthApp } from './oauth/oauth-app';

/**
 * Everything HubSpot and the installing admin call, under /connectors/hubspot: the install and its OAuth
 * callback, CRM webhooks, the CRM card's backend and the workflow action. Without the app configured only
 * the install pages answer (503, naming the settings); the signed routes have no secret to check against.
 */
export function hubspotRoutes(deps: HubSpotRouteDeps & { workspaceId: string }): Router {
  const router = Router();
  router.use(hubspotInstallRoutes(deps));
  const { app } = deps;
  if (app) {
    const signedDeps = { ...deps, clientSecret: app.clientSecret };
    router.use(hubspotWebhookRoutes({ ...deps, app }));
    router.use(hubspotCardRoutes(signedDeps));
    router.use(hubspotWorkflowRoutes(signedDeps));
  }
  return router;
}
