import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { apiGuard } from './api-guard';
import { callbackRouter, propertyRouter, uninstallRouter } from './app-routes';
import { associationRouter } from './association-routes';
import type { PortalInit } from './fake-portal';
import { HubSpotFakeState } from './fake-state';
import { logRequests, recordBody, sendError } from './http-helpers';
import { hubspotError, unknownRoute, validationError } from './hubspot-errors';
import { objectRouter } from './object-routes';
import type { FakeApp } from './oauth-store';
import { authorizeRouter, tokenRouter } from './oauth-routes';
import { OutboundRequests } from './outbound-requests';
import { settingsUsersRouter } from './user-routes';

export interface HubSpotFakeOptions {
  /** Portals to create: ids or full settings. Default `[62515]`. */
  portals?: Array<number | PortalInit>;
  /** The public app; defaults to `fixtureApp`. */
  app?: Partial<FakeApp>;
}

export interface HubSpotFake {
  /** What replaces `https://api.hubapi.com` (`HUBSPOT_API_BASE`, the SDK's `basePath`). */
  apiBase: string;
  /** What replaces `https://app.hubspot.com` (`HUBSPOT_AUTH_BASE`): the authorize page only. */
  authBase: string;
  state: HubSpotFakeState;
  /** HubSpot calling the app: signed webhooks, card fetches, workflow actions. */
  outbound: OutboundRequests;
  stop(): Promise<void>;
}

/**
 * A local stand-in for the HubSpot APIs Threadline uses, on 127.0.0.1: one server for the API host and one for
 * the auth host, as in production, so a client that mixes them up fails here too.
 */
export async function startHubSpotFake(options: HubSpotFakeOptions = {}): Promise<HubSpotFake> {
  const state = new HubSpotFakeState(options.app);
  for (const portal of options.portals ?? [62515]) state.addPortal(typeof portal === 'number' ? { portalId: portal } : portal);

  const api = express();
  api.disable('x-powered-by');
  api.use(logRequests(state));
  for (const version of ['2026-03', 'v3']) api.use(`/oauth/${version}`, tokenRouter(state));
  // HubSpot still serves v1 until 2027-02-16; the fake refuses it so a client on the SDK's v1 helpers fails here (§1.2, §8.4).
  api.use('/oauth/v1', (_req: Request, res: Response) => sendError(res, hubspotError(404, 'OBJECT_NOT_FOUND', 'Not served by the fake: OAuth v1 is deprecated, use /oauth/2026-03')));
  api.use(express.json({ limit: '10mb' }), recordBody, apiGuard(state));
  for (const prefix of ['/crm/v3/objects', '/crm/objects/2026-03']) api.use(prefix, objectRouter());
  api.use('/crm/v4', associationRouter());
  api.use('/crm/v3/properties', propertyRouter());
  api.use('/automation/v4/actions', callbackRouter(state));
  for (const version of ['v3', '2026-03']) api.use(`/appinstalls/${version}`, uninstallRouter(state));
  for (const prefix of ['/settings/v3/users', '/settings/users/2026-03']) api.use(prefix, settingsUsersRouter());
  api.use((_req: Request, res: Response) => sendError(res, unknownRoute()));
  api.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    // Body parser failures: HubSpot names the JSON problem in a VALIDATION_ERROR.
    sendError(res, validationError(`Invalid input JSON: ${err instanceof Error ? err.message : String(err)}`));
  });

  const auth = express();
  auth.disable('x-powered-by');
  auth.use(logRequests(state), authorizeRouter(state));

  const [apiServer, authServer] = await Promise.all([listen(api), listen(auth)]);
  return {
    apiBase: originOf(apiServer),
    authBase: originOf(authServer),
    state,
    outbound: new OutboundRequests(state),
    async stop() {
      await Promise.all([close(apiServer), close(authServer)]);
    },
  };
}

function listen(app: express.Express): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}

function originOf(server: Server): string {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('HubSpot fake is not listening on a TCP port');
  return `http://127.0.0.1:${address.port}`;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
}

export { fixtureApp, HubSpotFakeState } from './fake-state';
export type { FailureScope, RecordedRequest, WebhookDelivery, CallbackCompletion } from './fake-state';
export type { FakePortal, FakeHubSpotUser, CrmRecord, AssociationEdge, PortalInit } from './fake-portal';
export type { FakeApp } from './oauth-store';
export type { CrmEvent, DeliveryOptions } from './outbound-requests';
export { signatureV1, signatureV2, signatureV3, sendSigned, type SignedRequest } from './request-signing';
