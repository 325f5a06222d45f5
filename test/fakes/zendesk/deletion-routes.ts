import express, { type Request, type Response } from 'express';
import type { FakeAccount } from './fake-account';
import { accountOf, sendError } from './http-helpers';
import { notFound } from './zendesk-errors';

/**
 * Deleting tickets and users as Zendesk's REST API does it, in two steps: `DELETE /tickets/{id}` and
 * `DELETE /users/{id}` soft-delete (the record is recoverable for 30 days); `DELETE /deleted_tickets/{id}` and
 * `DELETE /deleted_users/{id}` then delete it permanently, which is what a GDPR erasure needs. Permanent deletion
 * answers a queued job status for tickets **[U]: the job is not modelled, the deletion is immediate**. Agents
 * and admins cannot be deleted through this route here **[U]**.
 */
export interface DeletionLog {
  softDeletedTickets: Set<number>;
  softDeletedUsers: Set<number>;
  /** What is gone for good, in order: `ticket:<id>` / `user:<id>`. */
  permanentlyDeleted: string[];
}

const logs = new WeakMap<FakeAccount, DeletionLog>();

/** What was deleted in an account, for tests. */
export function deletionLog(account: FakeAccount): DeletionLog {
  let log = logs.get(account);
  if (!log) {
    log = { softDeletedTickets: new Set(), softDeletedUsers: new Set(), permanentlyDeleted: [] };
    logs.set(account, log);
  }
  return log;
}

function idOf(req: Request<{ id: string }>): number {
  return Number(req.params.id);
}

/** Soft delete of a ticket, mounted on `/api/v2/tickets` (after the ticket router, which has no DELETE). */
export function ticketDeletionRouter(): express.Router {
  const router = express.Router();
  router.delete('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    if (!account.tickets.has(idOf(req))) return sendError(res, notFound());
    account.tickets.delete(idOf(req));
    deletionLog(account).softDeletedTickets.add(idOf(req));
    res.status(204).end();
  });
  return router;
}

/** `/api/v2/deleted_tickets/{id}`: permanent deletion of a soft-deleted ticket, its comments with it. */
export function deletedTicketRouter(): express.Router {
  const router = express.Router();
  router.delete('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const log = deletionLog(account);
    const id = idOf(req);
    if (!log.softDeletedTickets.delete(id)) return sendError(res, notFound());
    for (let i = account.comments.length - 1; i >= 0; i -= 1) if (account.comments[i]?.ticket_id === id) account.comments.splice(i, 1);
    for (const [thread, ticketId] of account.threads) if (ticketId === id) account.threads.delete(thread);
    log.permanentlyDeleted.push(`ticket:${id}`);
    res.status(200).json({ job_status: { id: `job-${id}`, status: 'queued', url: null, total: 1, progress: 0 } });
  });
  return router;
}

/** Soft delete of an end user, mounted on `/api/v2/users`: 200 with the user, now inactive. */
export function userDeletionRouter(): express.Router {
  const router = express.Router();
  router.delete('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const user = account.users.get(idOf(req));
    if (!user || user.role !== 'end-user') return sendError(res, notFound());
    account.users.delete(user.id);
    deletionLog(account).softDeletedUsers.add(user.id);
    res.status(200).json({ user: { ...user, active: false } });
  });
  return router;
}

/** `/api/v2/deleted_users/{id}`: permanent deletion of a soft-deleted user, identities included. */
export function deletedUserRouter(): express.Router {
  const router = express.Router();
  router.delete('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const log = deletionLog(account);
    const id = idOf(req);
    if (!log.softDeletedUsers.delete(id)) return sendError(res, notFound());
    for (const [identityId, identity] of account.identities) if (identity.user_id === id) account.identities.delete(identityId);
    log.permanentlyDeleted.push(`user:${id}`);
    res.status(200).json({ deleted_user: { id, name: 'Permanently deleted user', active: false } });
  });
  return router;
}
