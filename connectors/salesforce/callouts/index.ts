/** The package's signed callouts (thread, sends, Flow action): the router routes.ts mounts, and the nonce prune the worker runs. */
export { CALLOUT_PATH, salesforceCalloutRoutes, type SalesforceCalloutDeps } from './callout-routes';
export { PRUNE_CALLOUT_NONCES_CRONTAB, PRUNE_CALLOUT_NONCES_TASK, pruneCalloutNonces, pruneCalloutNoncesTask } from './callout-nonces';
