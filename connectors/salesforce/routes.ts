import { Router } from 'express';
import { salesforceCalloutRoutes, type SalesforceCalloutDeps } from './callouts';
import { salesforceInstallRoutes } from './oauth/install-routes';

export { CONNECT_CODE_PURPOSE, type SalesforceRouteDeps } from './route-deps';
export { disconnectSalesforce } from './disconnect';
export { salesforceInstallationStatus } from './oauth/installation-status';
export { KEEP_ALIVE_CRONTAB, KEEP_ALIVE_TASK, keepAliveTask } from './keep-alive';
export { PRUNE_CALLOUT_NONCES_CRONTAB, PRUNE_CALLOUT_NONCES_TASK, pruneCalloutNoncesTask } from './callouts';

/**
 * Everything Salesforce, the installing admin and the package's Apex call, under /connectors/salesforce: the
 * install and its OAuth callback, and the signed callouts (thread, sends, Flow action). Without the app
 * configured the install pages answer 503, naming the settings; the callouts need only the org's key.
 */
export function salesforceRoutes(deps: SalesforceCalloutDeps): Router {
  const router = Router();
  router.use(salesforceInstallRoutes(deps));
  router.use(salesforceCalloutRoutes(deps));
  return router;
}
