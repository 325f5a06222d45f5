/** The "Send WhatsApp template" workflow action: the route HS1's routes.ts mounts, and the completion HS2's deliver calls. */
export { hubspotWorkflowRoutes, MAX_TEMPLATE_PARAMETERS, WORKFLOW_FIELDS, WORKFLOW_SEND_PATH, type HubSpotWorkflowDeps } from './workflow-routes';
export { completeWorkflowCallbacks, WORKFLOW_CALLBACK_LINK, WORKFLOW_COMPLETED_LINK, type CallbackCompletion } from './complete-callbacks';
