import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/connect';
import type { Logger } from '../observability/logger';
import type { AttachmentSource, PlatformRequest, PlatformResponse, SendFunction, StageOutcome } from './contract';
import { closeConversation } from '../engine/conversation-commands';
import { bindInstallation } from './bind-installation';
import { workspaceOfInstallation } from './open-installation';
import type { ConnectorRegistry } from './registry';

export interface PlatformRequestDeps {
  db: Db;
  secrets: SecretBox;
  registry: ConnectorRegistry;
  logger: Logger;
  send: SendFunction;
  /** Core's attachment staging (core/send/stage-attachment.ts), injected like `send`; without it replies take no files. */
  stageAttachment?: (workspaceId: string, source: AttachmentSource) => Promise<StageOutcome>;
}

const noAttachments: StageOutcome = { ok: false, code: 'MEDIA_UNSUPPORTED', message: 'This endpoint does not take attachments', retryable: false };

/**
 * A reply (or template trigger) a platform posted for one installation: the connector verifies
 * and maps it, then calls `send` as that installation, so the message is synced to the other
 * platforms with this one as its origin. The installation id names the workspace.
 */
export async function receivePlatformRequest(
  deps: PlatformRequestDeps, target: { connector: string; installationId: string }, kind: 'reply' | 'template', request: PlatformRequest,
): Promise<PlatformResponse> {
  const { installationId } = target;
  const workspaceId = await workspaceOfInstallation(deps.db, installationId);
  if (workspaceId === undefined) return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No active installation with this id' } } };
  const loaded = await bindInstallation(deps, workspaceId, installationId);
  if (!loaded.ok) return { status: 409, body: { error: { code: loaded.code, message: loaded.message } } };
  if (loaded.bound.connectorId !== target.connector) return { status: 404, body: { error: { code: 'NOT_FOUND', message: `Installation ${installationId} is not a ${target.connector} installation` } } };
  const handler = kind === 'reply' ? loaded.bound.replies : loaded.bound.templateTrigger;
  if (!handler) return { status: 404, body: { error: { code: 'CAPABILITY_MISSING', message: `Connector ${loaded.bound.connectorId} takes no ${kind} requests` } } };
  const logger = deps.logger.child({ installationId, connector: loaded.bound.connectorId });
  return handler.receive(request, {
    logger,
    send: (reply) => deps.send({ ...reply, workspaceId, originInstallationId: installationId }),
    stageAttachment: async (source) => (deps.stageAttachment ? deps.stageAttachment(workspaceId, source) : noAttachments),
    closeConversation: async (conversationId) => (await closeConversation(deps.db, workspaceId, conversationId, `installation:${installationId}`)) !== null,
  });
}
