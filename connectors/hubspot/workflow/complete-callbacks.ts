import type { ExternalLinkWrite, SyncEvent } from '../../../core/connectors/contract';
import type { HubSpotError } from '../hubspot-result';
import type { HubSpotInstallation } from '../card/portal-installation';
import { callHubSpot } from '../client/hubspot-call';

/** The message link to the workflow execution that sent it (written when the action sends). */
export const WORKFLOW_CALLBACK_LINK = 'hubspot_workflow_callback';
/** Written once its callback is completed, so later statuses of the message do not complete it again. */
export const WORKFLOW_COMPLETED_LINK = 'hubspot_workflow_completed';

/** Meta's verdict on a message: `sent` (or a later tick, when `sent` itself was superseded) or `failed`. */
const SETTLED = new Set(['sent', 'delivered', 'read', 'played', 'failed']);

export type CallbackCompletion = { ok: true; links: ExternalLinkWrite[] } | { ok: false; error: HubSpotError };

/**
 * Completes the workflow executions (§6.4 `BLOCK` + `POST /automation/v4/actions/callbacks/{callbackId}/complete`,
 * scope `automation`) whose messages Meta has now settled, for HS2's `deliver` to call with the events it was
 * given: answers by outbox id, only for events that settle a workflow's message. `ok` carries the link to return
 * with the event's `delivered` result; a failure is the event's `retry` (RATE_LIMITED, PLATFORM_UNAVAILABLE …).
 * HubSpot's 404 (already completed, or the enrollment expired) counts as done: asking again cannot help.
 */
export async function completeWorkflowCallbacks(installation: HubSpotInstallation, events: readonly SyncEvent[]): Promise<Map<number, CallbackCompletion>> {
  const answers = new Map<number, CallbackCompletion>();
  const done = new Set<string>();
  for (const event of events) {
    const callbackId = event.links.message[WORKFLOW_CALLBACK_LINK];
    const status = typeof event.data.status === 'string' ? event.data.status : '';
    if (callbackId === undefined || event.messageId === null || event.links.message[WORKFLOW_COMPLETED_LINK] !== undefined) continue;
    if ((event.type !== 'message.status' && event.type !== 'message.failed') || !SETTLED.has(status)) continue;
    const links: ExternalLinkWrite[] = [{ entityType: 'message', entityId: event.messageId, externalType: WORKFLOW_COMPLETED_LINK, externalId: callbackId }];
    if (done.has(callbackId)) {
      answers.set(event.outboxId, { ok: true, links });
      continue;
    }
    const completed = await callHubSpot(installation, 'api', (client) => client.automation.actions.callbacksApi.complete(callbackId, { outputFields: outputFieldsOf(event.messageId as string, event) }));
    if (completed.ok || completed.error.code === 'NOT_FOUND') {
      done.add(callbackId);
      answers.set(event.outboxId, { ok: true, links });
    } else {
      answers.set(event.outboxId, { ok: false, error: completed.error });
    }
  }
  return answers;
}

function outputFieldsOf(messageId: string, event: SyncEvent): Record<string, string> {
  if (event.data.status !== 'failed') return { hs_execution_state: 'SUCCESS', message_id: messageId, status: 'sent' };
  const { errorCode, errorTitle, errorDetails } = event.data;
  const reason = [typeof errorTitle === 'string' ? errorTitle : 'WhatsApp did not deliver the message', typeof errorDetails === 'string' ? errorDetails : null]
    .filter(Boolean).join(': ');
  return { hs_execution_state: 'FAIL_CONTINUE', message_id: messageId, status: 'failed', error: errorCode === null || errorCode === undefined ? reason : `${reason} (${String(errorCode)})` };
}
