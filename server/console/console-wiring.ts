import type { Router } from 'express';
import type { ConsoleDeps } from './console-deps';
import { consoleRouter } from './console-router';
import { analyticsPage } from './pages/analytics';
import { auditPage } from './pages/audit';
import { automationPage } from './pages/automation';
import { conversationsPage } from './pages/conversations';
import { deadLettersPage } from './pages/dead-letters';
import { installationsPage } from './pages/installations';
import { numbersPage } from './pages/numbers';
import { templatesPage } from './pages/templates';
import { platformSignIns } from './platform-sign-in';

/** The admin console with every page and every sign-in this build has. */
export function adminConsole(deps: ConsoleDeps): Router {
  const platforms = platformSignIns(deps);
  return consoleRouter({
    db: deps.db,
    logger: deps.logger,
    publicUrl: deps.config.publicUrl,
    adminToken: deps.config.adminToken,
    workspaceId: deps.workspaceId,
    signInProviders: platforms.providers,
    publicRoutes: platforms.routes,
    pages: [conversationsPage, numbersPage, installationsPage, automationPage, templatesPage, analyticsPage, deadLettersPage, auditPage].map((page) => page(deps)),
  });
}
