import express, { type Request, type Response } from 'express';
import { hasScopes } from './api-guard';
import { portalOf, sendError } from './http-helpers';
import { objectNotFound } from './hubspot-errors';

/**
 * `GET /settings/users/2026-03/{userId}` (and `/settings/v3/users/{userId}`, same contract): one user of the token's
 * portal from HubSpot's user provisioning API, scope `settings.users.read`. `?idProperty=EMAIL` looks the user up by
 * email instead. Another portal's user, or an unknown one, is a 404.
 */
export function settingsUsersRouter(): express.Router {
  const router = express.Router();
  router.get('/:userId', (req: Request<{ userId: string }>, res: Response) => {
    if (!hasScopes(req, res, ['settings.users.read'])) return;
    const users = [...portalOf(req).users.values()];
    const byEmail = req.query.idProperty === 'EMAIL';
    const user = users.find((u) => (byEmail ? u.email.toLowerCase() === req.params.userId.toLowerCase() : String(u.id) === req.params.userId));
    if (!user) return sendError(res, objectNotFound(req.params.userId));
    res.status(200).json({
      id: String(user.id), email: user.email, firstName: user.firstName, lastName: user.lastName, roleIds: [], superAdmin: user.superAdmin, sendWelcomeEmail: false,
    });
  });
  return router;
}
