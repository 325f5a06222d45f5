import { Router } from 'express';
import { z } from 'zod';
import { analyticsQuery, numberInWorkspace, withoutEmptyFields } from '../../core/analytics/analytics-filter';
import { analyticsReport } from '../../core/analytics/analytics-report';
import { csatSummary } from '../../core/automation/csat-summary';
import type { Db } from '../../core/db/connect';
import { parseRequest } from '../admin/parse-request';
import { requireAdminToken } from '../admin/require-admin-token';
import { sendError } from '../http-errors';

/** By default the last 30 days. */
const DEFAULT_RANGE_MS = 30 * 24 * 3600_000;

export const csatQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().describe('Answers at or after this time; default 30 days before `to`'),
  to: z.iso.datetime({ offset: true }).optional().describe('Answers before this time; default now'),
}).refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), { message: 'must be before to', path: ['from'] });

/**
 * `GET /api/v1/analytics/csat?from&to`: the CSAT answers (issue 7 item 7) counted, averaged and by score.
 * `GET /api/v1/analytics/report?from&to&number&team`: every figure of the console's analytics page (issue 8 item 7).
 */
export function adminAnalyticsRoutes(deps: { db: Db; adminToken: string; workspaceId: string }): Router {
  const router = Router();
  router.use('/api/v1/analytics', requireAdminToken(deps.adminToken));
  router.get('/api/v1/analytics/csat', async (req, res) => {
    const query = parseRequest(csatQuery, req.query, res);
    if (!query) return;
    const to = query.to === undefined ? new Date() : new Date(query.to);
    const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_MS) : new Date(query.from);
    res.json({ from: from.toISOString(), to: to.toISOString(), ...(await csatSummary(deps.db, deps.workspaceId, { from, to })) });
  });
  router.get('/api/v1/analytics/report', async (req, res) => {
    const filter = parseRequest(analyticsQuery, withoutEmptyFields(req.query), res);
    if (!filter) return;
    if (filter.numberId && !(await numberInWorkspace(deps.db, deps.workspaceId, filter.numberId))) {
      sendError(res, 404, 'NUMBER_NOT_FOUND', `No number ${filter.numberId} in this workspace`);
      return;
    }
    res.json(await analyticsReport(deps.db, deps.workspaceId, filter));
  });
  return router;
}
