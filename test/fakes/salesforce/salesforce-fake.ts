import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { apiGuard, orgIdOf, userIdOf } from './api-guard';
import type { OrgInit } from './fake-org';
import { SalesforceFakeState } from './fake-state';
import { logRequests, recordBody, sendError } from './http-helpers';
import type { FakeApp } from './oauth-store';
import { instanceUrl, loginBase, loginRouter, userinfoRouter } from './oauth-routes';
import { dispatchRest, isServedVersion } from './rest-router';
import { jsonParserError, notFound } from './salesforce-errors';

export interface SalesforceFakeOptions {
  /** Orgs to create; default one production org. */
  orgs?: OrgInit[];
  /** The External Client App; defaults to `fixtureApp`. */
  app?: Partial<FakeApp>;
  /** The managed package's namespace: custom objects and fields become `ns__WhatsApp_Message__c` (§5.2). */
  namespace?: string;
}

export interface SalesforceFake {
  /** Replaces `https://login.salesforce.com` (production and Developer Edition). */
  loginUrl: string;
  /** Replaces `https://test.salesforce.com` (sandboxes). */
  sandboxLoginUrl: string;
  /** Replaces an org's `https://<MyDomain>.my.salesforce.com` login host. */
  myDomainUrl(name: string): string;
  /** The `instance_url` the token answer gives for this org. */
  instanceUrlFor(orgId: string): string;
  state: SalesforceFakeState;
  stop(): Promise<void>;
}

/**
 * A local stand-in for the Salesforce login hosts and one instance per org, on one 127.0.0.1 port: login hosts are
 * told apart by path prefix (`/`, `/sandbox`, `/domains/<name>`), orgs by `/instances/<orgId>`.
 */
export async function startSalesforceFake(options: SalesforceFakeOptions = {}): Promise<SalesforceFake> {
  const state = new SalesforceFakeState(options.app, options.namespace);
  for (const org of options.orgs ?? [{}]) state.addOrg(org);

  const app = express();
  app.disable('x-powered-by');
  app.use(logRequests(state));
  const instance = express.Router({ mergeParams: true });
  instance.use(userinfoRouter(state));
  instance.use('/services/data/:version', express.json({ limit: '50mb' }), recordBody, apiGuard(state), (req: Request<{ version: string }>, res: Response) => {
    if (!isServedVersion(req.params.version)) return sendError(res, notFound());
    const url = new URL(req.originalUrl, 'http://fake.invalid');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    const result = dispatchRest({ org: state.org(orgIdOf(req)), userId: userIdOf(req), version: req.params.version, method: req.method, path: req.path, query: url.searchParams, body: req.body, headers });
    if (result.headers) res.set(result.headers);
    if (result.body === undefined) res.status(result.status).end();
    else res.status(result.status).json(result.body);
  });
  app.use('/instances/:orgId', instance);
  app.use('/sandbox', loginRouter(state, { kind: 'sandbox' }));
  const myDomains = new Map<string, express.Router>();
  app.use('/domains/:name', (req: Request<{ name: string }>, res: Response, next: NextFunction) => {
    const { name } = req.params;
    const router = myDomains.get(name) ?? loginRouter(state, { kind: 'myDomain', name });
    myDomains.set(name, router);
    router(req, res, next);
  });
  app.use(loginRouter(state, { kind: 'production' }));
  app.use((_req: Request, res: Response) => sendError(res, notFound()));
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    // Body parser failures: Salesforce names the JSON problem.
    sendError(res, jsonParserError(`Unexpected character: ${err instanceof Error ? err.message : String(err)}`));
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Salesforce fake is not listening on a TCP port');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    loginUrl: loginBase(origin, { kind: 'production' }),
    sandboxLoginUrl: loginBase(origin, { kind: 'sandbox' }),
    myDomainUrl: (name) => loginBase(origin, { kind: 'myDomain', name }),
    instanceUrlFor: (orgId) => instanceUrl(origin, state.org(orgId).orgId),
    state,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

export { fixtureApp, SalesforceFakeState } from './fake-state';
export type { FailureScope, RecordedRequest } from './fake-state';
export { FakeOrg, type FakeSalesforceUser, type OrgInit, type SfRecord } from './fake-org';
export type { FakeApp, LoginHost } from './oauth-store';
export type { ScriptedFailure, FakeSalesforceError } from './salesforce-errors';
export { toId18 } from './ids';
