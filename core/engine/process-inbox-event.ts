import { applyStatus } from './apply-status';
import { applyUserPreference } from './apply-user-preference';
import type { ProcessInboxEvent } from './engine-context';
import { ingestMessage } from './ingest-message';
import { recordQualityUpdate, recordSystemError, recordTemplateStatus } from './workspace-events';

/** The worker's entry into the engine: one inbox event, applied inside the drain's transaction. */
export const processInboxEvent: ProcessInboxEvent = async (ctx, trx, event) => {
  const workspaceId = event.workspace_id;
  const payload = event.payload;
  switch (payload.kind) {
    case 'message':
      return ingestMessage(trx, workspaceId, payload);
    case 'status':
      return applyStatus(trx, workspaceId, payload.status);
    case 'user_preference':
      return applyUserPreference(ctx, trx, workspaceId, payload);
    case 'template_status':
      return recordTemplateStatus(trx, workspaceId, payload);
    case 'quality_update':
      return recordQualityUpdate(trx, workspaceId, payload);
    case 'system_error':
      return recordSystemError(ctx, trx, workspaceId, payload);
    case 'unhandled':
      ctx.logger.info({ workspaceId, field: payload.field, wabaId: payload.wabaId }, 'webhook field not handled');
      return;
    case 'malformed':
      // The inbox stores these as dead already; one reaching here has nothing to apply.
      ctx.logger.warn({ workspaceId, eventId: event.id, problem: payload.problem }, 'malformed inbox event skipped');
      return;
    default: {
      const unknown: never = payload;
      ctx.logger.warn({ workspaceId, eventId: event.id, payload: unknown }, 'inbox event of unknown kind skipped');
    }
  }
};
