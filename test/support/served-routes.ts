import type { IncomingMessage } from 'node:http';
import type { Express } from 'express';
import type { TestRuntime } from './test-runtime';

interface StackLayer { route?: { path: string; stack: { method?: string }[] }; handle: { stack?: StackLayer[] } }

export interface ServedRoute {
  method: string;
  path: string;
}

/** Every route in an express router stack, nested routers included, read from express rather than restated here. */
function routesIn(stack: readonly StackLayer[]): ServedRoute[] {
  return stack.flatMap((layer) => {
    const route = layer.route;
    if (route) return [...new Set(route.stack.flatMap((l) => (l.method ? [l.method] : [])))].map((method) => ({ method, path: route.path }));
    return layer.handle.stack ? routesIn(layer.handle.stack) : [];
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
