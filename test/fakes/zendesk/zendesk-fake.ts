import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { adminFlowRouter, type ReturnedAccount } from './admin-flow';
import { deletedTicketRouter, deletedUserRouter, ticketDeletionRouter, userDeletionRouter } from './deletion-routes';
import { apiLimits, restAuth } from './api-guard';
import { attachmentRouter } from './attachment-routes';
import { sendChannelback, type AgentReply, type ChannelbackAttempt } from './channelback-client';
import type { PushInstance } from './fake-account';
import { appRouter } from './app-routes';
import { fixtureOAuthClient, ZendeskFakeState } from './fake-state';
import { recordBody, resolveAccount, sendError, stripJsonSuffix } from './http-helpers';
import type { FakeOAuthClient } from './oauth-store';
import { oauthRouter, oauthTokensRouter } from './oauth-routes';
import { pushRouter } from './push-routes';
import { ticketRouter } from './ticket-routes';
import { userRouter } from './user-routes';
import { changeTicketStatus, postSignedWebhook, webhookRouter, type WebhookDelivery } from './webhook-routes';

export interface ZendeskFakeOptions {
  /** Subdomains to create. Default `['acme']`. */
  accounts?: string[];
  /** The global OAuth client every account knows. Default `fixtureOAuthClient` (`zdg-threadline`). */
  oauthClient?: Partial<FakeOAuthClient>;
  /** Largest push batch accepted. Default 100 (the docs; the JSON schema says 256, reference §7 item 2). */
  maxPushResources?: number;
}

export interface ZendeskFake {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** What to set as ZENDESK_API_BASE: `${origin}/{subdomain}`; the client fills in the subdomain. */
  apiBase: string;
  /** What replaces `https://{subdomain}.zendesk.com` for one account. */
  baseUrlFor(subdomain: string): string;
  state: ZendeskFakeState;
  /** What integration pages posted back to return_url (admin-flow.ts). */
  returnedAccounts: ReturnedAccount[];
  /** POSTs `{ events }` to an event_callback_url in the background, recorded in `state.eventCallbacks`. */
  sendEventCallback(url: string, events: unknown[]): void;
  /** Resolves once every event callback POST started so far has been answered. */
  flushEventCallbacks(): Promise<void>;
  /** An agent replies publicly on a ticket of this integration account: Zendesk's channelback call into Threadline. */
  agentReply(subdomain: string, instance: PushInstance, ticketId: number, reply: AgentReply): Promise<ChannelbackAttempt>;
  /** An agent solves a ticket (or reopens it): the account's matching triggers call their webhooks, signed; resolves with each call's answer. */
  setTicketStatus(subdomain: string, ticketId: number, status: 'solved' | 'open' | 'pending'): Promise<WebhookDelivery[]>;
  /** Zendesk retries a call: the same invocation id and body, signed again now. */
  redeliver(subdomain: string, delivery: WebhookDelivery): Promise<WebhookDelivery>;
  stop(): Promise<void>;
}

/**
 * A local stand-in for the Zendesk APIs Threadline uses, on 127.0.0.1 and a free port. Each account lives
 * under a path prefix, `/{subdomain}/…`, so one server holds many accounts (README: "Addressing accounts").
 */
export async function startZendeskFake(options: ZendeskFakeOptions = {}): Promise<ZendeskFake> {
  const state = new ZendeskFakeState();
  for (const subdomain of options.accounts ?? ['acme']) state.addAccount(subdomain);
  state.addOAuthClient({ ...fixtureOAuthClient, ...options.oauthClient });
  const pending = new Set<Promise<void>>();

  function deliverEvents(url: string, events: unknown[]): void {
    const body = { events };
    const job = fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) })
      .then((res) => {
        state.eventCallbacks.push({ url, body, status: res.status, error: undefined });
      })
      .catch((err: unknown) => {
        state.eventCallbacks.push({ url, body, status: undefined, error: String(err) });
      });
    pending.add(job);
    void job.finally(() => pending.delete(job));
  }

  const returnedAccounts: ReturnedAccount[] = [];
  const account = express.Router({ mergeParams: true });
  account.use(oauthRouter(state));
  account.use(adminFlowRouter(returnedAccounts, deliverEvents));
  account.use('/api/v2/any_channel', apiLimits(state, 'push'), pushRouter({ state, maxResources: options.maxPushResources ?? 100, deliverEvents }));
  account.use('/api/v2/users', apiLimits(state, 'api'), restAuth('users'), userRouter(), userDeletionRouter());
  account.use('/api/v2/deleted_users', apiLimits(state, 'api'), restAuth('users'), deletedUserRouter());
  account.use('/api/v2/oauth/tokens', apiLimits(state, 'api'), oauthTokensRouter());
  account.use('/api/v2/tickets', apiLimits(state, 'api'), restAuth('tickets'), ticketRouter(), ticketDeletionRouter());
  account.use('/api/v2/deleted_tickets', apiLimits(state, 'api'), restAuth('tickets'), deletedTicketRouter());
  account.use('/attachments', attachmentRouter());
  account.use('/api/v2/apps', apiLimits(state, 'api'), appRouter());
  account.use('/api/v2/webhooks', apiLimits(state, 'api'), restAuth('webhooks'));
  account.use('/api/v2/triggers', apiLimits(state, 'api'), restAuth('triggers'));
  account.use('/api/v2', webhookRouter());
  account.use((_req: Request, res: Response) => sendError(res, { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } }));

  const app = express();
  app.disable('x-powered-by');
  app.use(stripJsonSuffix);
  app.use('/:subdomain', resolveAccount(state), express.json({ limit: '5mb' }), express.urlencoded({ extended: true }), recordBody, account);
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    // Body parser failures (bad JSON, too large).
    sendError(res, { status: 400, body: { error: 'InvalidJSON', description: err instanceof Error ? err.message : String(err) } });
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Zendesk fake is not listening on a TCP port');
  const origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    apiBase: `${origin}/{subdomain}`,
    baseUrlFor: (subdomain) => `${origin}/${subdomain}`,
    state,
    returnedAccounts,
    sendEventCallback: deliverEvents,
    async flushEventCallbacks() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    agentReply: (subdomain, instance, ticketId, reply) => sendChannelback(state.account(subdomain), `${origin}/${subdomain}`, instance, ticketId, reply),
    setTicketStatus: (subdomain, ticketId, status) => changeTicketStatus(state.account(subdomain), ticketId, status),
    redeliver(subdomain, delivery) {
      const webhook = state.account(subdomain).webhooks.get(delivery.webhookId);
      if (!webhook) throw new Error(`No webhook ${delivery.webhookId} in ${subdomain}`);
      return postSignedWebhook(webhook, delivery.invocationId, delivery.body);
    },
    async stop() {
      await Promise.allSettled([...pending]);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

export { fixtureOAuthClient, ZendeskFakeState } from './fake-state';
export type { FailureScope, RecordedRequest, DeliveredEventCallback } from './fake-state';
export type { FakeAccount, FakeUser, FakeIdentity, FakeTicket, FakeComment, PushInstance } from './fake-account';
export type { PushResult, PushResultCode, ExternalResource } from './push-schema';
export { FakeZendeskAdmin, type AdminPage, type ReturnedAccount } from './admin-flow';
export { lifecycleEvent, type LifecycleEventType } from './event-callbacks';
export type { AgentReply, ChannelbackAttempt } from './channelback-client';
export type { FakeTrigger, FakeWebhook, WebhookDelivery } from './webhook-routes';
