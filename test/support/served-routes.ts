import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';
import type { TestRuntime } from './test-runtime';

interface StackLayer { route?: { path: string | string[]; stack: { method?: string }[] }; rawPath?: unknown; handle: { stack?: StackLayer[] } }

export interface ServedRoute {
  method: string;
  path: string;
}

/**
 * Every route in an express router stack, nested routers included (a router mounted at a path, `router.use('/x', api)`,
 * gives its routes that prefix), read from express rather than restated here.
 */
function routesIn(stack: readonly StackLayer[], prefix = ''): ServedRoute[] {
  return stack.flatMap((layer) => {
    const route = layer.route;
    if (route) {
      const methods = [...new Set(route.stack.flatMap((l) => (l.method ? [l.method] : [])))];
      // `router.get([a, b], …)` is one route serving each path.
      return [route.path].flat().flatMap((path) => methods.map((method) => ({ method, path: `${prefix}${path}` })));
    }
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return layer.handle.stack ? routesIn(layer.handle.stack, `${prefix}${mount}`) : [];
  });
}

/**
 * The routes the runtime's express app serves. The runtime does not expose the app; express sets it as `req.app` on
 * every request it handles, so one request to the running server hands it over. express 5's router stack is not in
 * its public types: it is read as the layers needed here (path, methods, nested routers).
 */
export async function servedRoutes(rt: TestRuntime): Promise<ServedRoute[]> {
  let app: Express | undefined;
  const listener = (req: IncomingMessage & { app?: Express }) => { app = req.app; };
  rt.server?.on('request', listener);
  await rt.http().get('/healthz');
  rt.server?.off('request', listener);
  if (!app) throw new Error('the runtime served no request through express');
  return routesIn(app.router.stack as unknown as StackLayer[]);
}
