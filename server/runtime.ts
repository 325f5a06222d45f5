import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { connectDb, type Db } from '../core/db/connect';
import { migrate } from '../core/db/migrate';
import { processInboxEvent } from '../core/engine/process-inbox-event';
import { InboxWriter } from '../core/inbox/inbox-writer';
import { NumberDirectory } from '../core/inbox/number-directory';
import { startWorker, type RunningWorker, type WorkerOptions } from '../core/jobs/start-worker';
import { buildTaskLists } from '../core/jobs/task-list';
import { createLogger, type Logger } from '../core/observability/logger';
import { Metrics } from '../core/observability/metrics';
import { ensureWorkspace, type Workspace } from '../core/workspace/ensure-workspace';
import { SecretBox } from '../core/crypto/secret-box';
import { queueResealSecrets, RESEAL_SECRETS_CRONTAB, RESEAL_SECRETS_TASK, resealSecretsTask } from '../core/crypto/reseal-secrets';
import { LocalFolderBlobStore } from '../core/media/blob-store';
import { MEDIA_DOWNLOAD_TASK, mediaDownloadTask } from '../core/media/media-download-task';
import { MediaUrlSigner } from '../core/media/signed-media-url';
import { stageAttachment } from '../core/send/stage-attachment';
import { mediaDownloadRoutes } from './routes/media-download';
import { MARK_READ_TASK, markReadTask } from '../core/receipts/mark-read-task';
import { GraphClient } from '../core/whatsapp/graph-client';
import { SEND_TASK } from '../core/send/enqueue-send';
import { sendTask } from '../core/send/send-task';
import { ThroughputLimiter } from '../core/send/throughput-limiter';
import { createApp, securityHeaders } from './app';
import { adminApiRoutes } from './routes/admin-api';
import { adminMessagesRoutes } from './routes/admin-messages';
import { adminTemplateRoutes } from './routes/admin-templates';
import { adminSyncRoutes, connectorRequestRoutes } from './routes/admin-sync';
import { connectors } from '../connectors/index';
import { hubspotConnectorRoutes } from './routes/hubspot-connector-routes';
import { PRUNE_WEBHOOK_EVENTS_CRONTAB, PRUNE_WEBHOOK_EVENTS_TASK, pruneWebhookEventsTask } from '../connectors/hubspot/webhooks/prune-webhook-events';
import { zendeskConnectorRoutes } from './routes/zendesk-connector-routes';
import { salesforceConnectorRoutes } from './routes/salesforce-connector-routes';
import {
  KEEP_ALIVE_CRONTAB, KEEP_ALIVE_TASK, keepAliveTask, PRUNE_CALLOUT_NONCES_CRONTAB, PRUNE_CALLOUT_NONCES_TASK, pruneCalloutNoncesTask,
} from '../connectors/salesforce/routes';
import type { Connector } from '../core/connectors/define-connector';
import { ConnectorRegistry } from '../core/connectors/registry';
import { INBOUND_AUTOMATION_TASK, inboundAutomationTask } from '../core/automation/inbound-automation';
import { ROUTING_TIMEOUT_TASK, routingTimeoutTask } from '../core/automation/route-conversation';
import { CLOSING_MESSAGE_TASK, closingMessageTask } from '../core/automation/closing-message';
import { SLA_DUE_TASK, slaDueTask } from '../core/automation/sla-timers';
import { TRIGGER_CALLBACK_TASK, TRIGGER_FOLLOW_UP_TASK, TRIGGER_SEND_TASK, triggerCallbackTask, triggerFollowUpTask, triggerSendTask } from '../core/automation/trigger-jobs';
import { BOT_FORWARD_TASK, BOT_RETRY_SCHEDULE, botForwardTask } from '../core/automation/bot-forward';
import type { RetrySchedule } from '../core/sync/retry-schedule';
import { adminBotRoutes } from './routes/admin-bot';
import { adminConsentRoutes } from './routes/admin-consent';
import { twilioStatusRoutes, TWILIO_STATUS_PATH } from './routes/twilio-status';
import { SMS_FALLBACK_TASK, smsFallbackTask } from '../core/automation/sms-fallback';
import { TwilioClient } from '../core/sms/twilio-client';
import { botApiRoutes } from './routes/bot-api';
import { sendFromPlatform } from '../core/send/reply-adapter';
import { SYNC_TASK, syncTask } from '../core/sync/sync-task';
import type { Config } from './config';
import { adminAnalyticsRoutes } from './routes/admin-analytics';
import { adminAutomationRoutes } from './routes/admin-automation';
import { triggerRoutes } from './routes/trigger-routes';
import { operationsRoutes } from './routes/operations';
import { adminConsole } from './console/console-wiring';
import { adminPrivacyRoutes } from './routes/admin-privacy';
import { privacyTasks, RETENTION_CRONTAB } from '../core/privacy/privacy-tasks';
import { PRUNE_CONSOLE_SESSIONS_CRONTAB, PRUNE_CONSOLE_SESSIONS_TASK, pruneConsoleSessionsTask } from '../core/auth/console-sessions';
import { whatsappWebhookVerification } from './routes/whatsapp-webhook';
import { WEBHOOK_PATH, whatsappWebhookPost } from './routes/whatsapp-webhook-post';

export interface RuntimeOptions {
  /** Run the HTTP server (default true). */
  http?: boolean;
  /** Run the job worker in this process (default true); false for a server-only process. */
  worker?: boolean | WorkerOptions;
  logger?: Logger;
  /** Skip migrations when another process owns them. */
  migrate?: boolean;
  /** The connectors to register (default: every one this build ships); tests add the test connector. */
  connectors?: readonly Connector[];
  /** When a bot that did not take a message is tried again (default BOT_RETRY_SCHEDULE); tests shorten it. */
  botRetry?: RetrySchedule;
}

export interface Runtime {
  config: Config;
  db: Db;
  logger: Logger;
  metrics: Metrics;
  secrets: SecretBox;
  blobs: LocalFolderBlobStore;
  workspace: Workspace;
  directory: NumberDirectory;
  url: string;
  server: http.Server | null;
  worker: RunningWorker | null;
  stop(): Promise<void>;
}

/**
 * Wires Threadline from configuration: database, migrations, the express app and the worker.
 * `databaseUrl` must be resolved (main.ts starts an embedded PostgreSQL when it is unset).
 */
export async function startRuntime(config: Config & { databaseUrl: string }, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger();
  const metrics = new Metrics({ defaultMetrics: true });
  const db = connectDb(config.databaseUrl, { poolMax: 20, log: { warn: (m) => logger.warn({ source: 'knex' }, m), error: (m) => logger.error({ source: 'knex' }, m) } });
  if (options.migrate !== false) await migrate(db, config.databaseUrl);
  const workspace = await ensureWorkspace(db);
  const directory = new NumberDirectory(db);
  const writer = new InboxWriter(db);
  const secrets = new SecretBox(config.encryptionKey, config.previousEncryptionKeys);
  const graph = new GraphClient({ baseUrl: config.whatsappApiBase, version: config.whatsappApiVersion });
  const blobs = new LocalFolderBlobStore(path.join(config.dataDir, 'media'));
  const mediaUrls = new MediaUrlSigner([config.encryptionKey, ...config.previousEncryptionKeys], config.publicUrl);
  const registry = new ConnectorRegistry(options.connectors ?? connectors);
  const twilio = config.twilio && new TwilioClient({ baseUrl: config.twilio.apiBase, accountSid: config.twilio.accountSid, authToken: config.twilio.authToken });

  let server: http.Server | null = null;
  let url = config.publicUrl;
  if (options.http !== false) {
    const app = createApp({
      logger, publicUrl: config.publicUrl, rateLimits: config.rateLimits, trustProxy: config.trustProxy,
      routers: [
        operationsRoutes({ db, metrics }),
        whatsappWebhookVerification({ verifyToken: config.metaVerifyToken }),
        ...(config.twilio ? [twilioStatusRoutes({ db, logger, authToken: config.twilio.authToken, publicUrl: config.publicUrl })] : []),
        // Before the admin API, whose token guards all of /api/v1: business systems sign with the trigger secret instead.
        triggerRoutes({ db, secrets, adminToken: config.adminToken, workspaceId: workspace.id }),
        // Before the admin routers: bots authenticate with their own secret, not the admin token.
        botApiRoutes({ db, secrets, logger, workspaceId: workspace.id }),
        adminApiRoutes({ db, graph, secrets, directory, adminToken: config.adminToken, publicUrl: config.publicUrl, workspaceId: workspace.id }),
        adminTemplateRoutes({ db, graph, secrets, adminToken: config.adminToken, workspaceId: workspace.id }),
        adminMessagesRoutes({ db, adminToken: config.adminToken, workspaceId: workspace.id }),
        adminSyncRoutes({ db, secrets, registry, adminToken: config.adminToken, workspaceId: workspace.id }),
        adminAutomationRoutes({ db, adminToken: config.adminToken, workspaceId: workspace.id, smsConfigured: Boolean(config.twilio) }),
        adminConsentRoutes({ db, adminToken: config.adminToken, workspaceId: workspace.id }),
        adminAnalyticsRoutes({ db, adminToken: config.adminToken, workspaceId: workspace.id }),
        adminBotRoutes({ db, secrets, adminToken: config.adminToken, workspaceId: workspace.id }),
        adminPrivacyRoutes({ db, adminToken: config.adminToken, workspaceId: workspace.id, mediaUrlFor: (id) => mediaUrls.urlFor(id) }),
        connectorRequestRoutes({ db, secrets, registry, logger, send: sendFromPlatform({ db }) }),
        ...zendeskConnectorRoutes({ db, secrets, registry, logger, send: sendFromPlatform({ db }), config, workspaceId: workspace.id,
          stageAttachment: (workspaceId, source) => stageAttachment({ blobs, privateAttachmentHosts: config.privateAttachmentHosts }, workspaceId, source) }),
        ...hubspotConnectorRoutes({ db, secrets, registry, logger, send: sendFromPlatform({ db }), config, workspaceId: workspace.id }),
        ...salesforceConnectorRoutes({ db, secrets, registry, logger, send: sendFromPlatform({ db }), config, workspaceId: workspace.id, mediaUrlFor: (id) => mediaUrls.urlFor(id) }),
        mediaDownloadRoutes({ db, graph, secrets, blobs, signer: mediaUrls, logger }),
        adminConsole({ db, graph, secrets, directory, registry, blobs, logger, config, workspaceId: workspace.id }),
      ],
    });
    const webhookPost = whatsappWebhookPost({ appSecret: config.metaAppSecret, directory, writer, logger, metrics });
    // Meta's webhook skips express (speed) but not the security headers.
    const headers = securityHeaders(config.publicUrl);
    server = http.createServer((req, res) => {
      if (req.method === 'POST' && req.url?.split('?')[0] === WEBHOOK_PATH) headers(req, res, () => webhookPost(req, res));
      else app(req, res);
    });
    await new Promise<void>((resolve) => server?.listen(config.port, resolve));
    const address = server.address() as AddressInfo;
    url = `http://127.0.0.1:${address.port}`;
  }

  let worker: RunningWorker | null = null;
  if (options.worker !== false) {
    const botRetry = options.botRetry ?? BOT_RETRY_SCHEDULE;
    const taskLists = buildTaskLists({
      db,
      engine: { logger, metrics },
      processInboxEvent,
      ioTasks: {
        [MEDIA_DOWNLOAD_TASK]: mediaDownloadTask({ db, graph, secrets, blobs, logger }),
        [MARK_READ_TASK]: markReadTask({ db, graph, secrets, logger }),
        [SEND_TASK]: sendTask({ db, graph, secrets, logger, limiter: new ThroughputLimiter(), privateAttachmentHosts: config.privateAttachmentHosts, blobs }),
        [SYNC_TASK]: syncTask({ db, secrets, registry, logger, mediaUrls }),
        [INBOUND_AUTOMATION_TASK]: inboundAutomationTask({ db, logger, metrics, secrets, botRetry }),
        [BOT_FORWARD_TASK]: botForwardTask({ db, secrets, logger, retry: botRetry }),
        [ROUTING_TIMEOUT_TASK]: routingTimeoutTask({ db, logger }),
        [CLOSING_MESSAGE_TASK]: closingMessageTask({ db, logger }),
        [SLA_DUE_TASK]: slaDueTask({ db, logger, metrics }),
        [TRIGGER_SEND_TASK]: triggerSendTask({ db, logger }),
        [TRIGGER_CALLBACK_TASK]: triggerCallbackTask({ db, logger, secrets, allowedHosts: config.privateAttachmentHosts }),
        [TRIGGER_FOLLOW_UP_TASK]: triggerFollowUpTask({ db, logger }),
        [SMS_FALLBACK_TASK]: smsFallbackTask({ db, logger, ...(twilio ? { sms: { client: twilio, statusCallbackUrl: `${config.publicUrl}${TWILIO_STATUS_PATH}` } } : {}) }),
        [PRUNE_WEBHOOK_EVENTS_TASK]: pruneWebhookEventsTask(db),
        [KEEP_ALIVE_TASK]: keepAliveTask({ db, secrets, logger, app: config.salesforce }),
        [PRUNE_CALLOUT_NONCES_TASK]: pruneCalloutNoncesTask(db),
        [PRUNE_CONSOLE_SESSIONS_TASK]: pruneConsoleSessionsTask(db),
        ...privacyTasks({ db, secrets, registry, blobs, logger }),
        [RESEAL_SECRETS_TASK]: resealSecretsTask({ db, secrets, logger }),
      },
      crontab: [PRUNE_WEBHOOK_EVENTS_CRONTAB, KEEP_ALIVE_CRONTAB, PRUNE_CALLOUT_NONCES_CRONTAB, PRUNE_CONSOLE_SESSIONS_CRONTAB, RESEAL_SECRETS_CRONTAB, RETENTION_CRONTAB].join('\n'),
    });
    worker = await startWorker({ db, connectionString: config.databaseUrl, taskLists, logger, metrics }, typeof options.worker === 'object' ? options.worker : {});
    // Started with keys being rotated out: re-seal under the new key now rather than at the next hourly run.
    if (config.previousEncryptionKeys.length > 0) await queueResealSecrets(db);
  }

  return {
    config, db, logger, metrics, secrets, blobs, workspace, directory, url, server, worker,
    stop: async () => {
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      await worker?.stop();
      await db.destroy();
    },
  };
}
