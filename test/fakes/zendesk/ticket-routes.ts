import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { accountOf, sendError } from './http-helpers';
import { apiRoot, commentJson, listJson, ticketJson } from './serialise';
import { notFound, recordInvalid, type FieldError } from './zendesk-errors';

const ticketUpdate = z.object({
  ticket: z.looseObject({
    status: z.string().optional(),
    priority: z.string().nullable().optional(),
    tags: z.array(z.string()).optional(),
    group_id: z.number().nullable().optional(),
    safe_update: z.boolean().optional(),
    updated_stamp: z.string().optional(),
    comment: z.object({ body: z.string().optional(), html_body: z.string().optional(), public: z.boolean().optional(), author_id: z.number().optional() }).optional(),
  }),
});
const statuses = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
const priorities = ['urgent', 'high', 'normal', 'low'] as const;

/** Tickets (§4.3): show, update of status/priority/tags/group plus an optional comment (with `safe_update`), list comments. */
export function ticketRouter(): express.Router {
  const router = express.Router();

  router.get('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const ticket = account.tickets.get(Number(req.params.id));
    if (!ticket) return sendError(res, notFound());
    res.status(200).json({ ticket: ticketJson(apiRoot(req, account), account, ticket) });
    account.ticketRead(ticket);
  });

  router.get('/:id/comments', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const ticket = account.tickets.get(Number(req.params.id));
    if (!ticket) return sendError(res, notFound());
    res.status(200).json(listJson('comments', account.commentsOf(ticket.id).map(commentJson)));
  });

  router.put('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const ticket = account.tickets.get(Number(req.params.id));
    if (!ticket) return sendError(res, notFound());
    const parsed = ticketUpdate.safeParse(req.body);
    if (!parsed.success) return sendError(res, { status: 400, body: { error: 'ParameterMissing', description: 'param is missing or the value is empty: ticket' } });
    const input = parsed.data.ticket;
    // §4.3 collision protection. The 409 body is [U]: the reference names the mechanism, not the answer.
    if (input.safe_update === true && input.updated_stamp !== ticket.updated_at) {
      return sendError(res, { status: 409, body: { error: 'UpdateConflict', description: 'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.' } });
    }
    const errors: Record<string, FieldError[]> = {};
    if (ticket.status === 'closed') errors.status = [{ description: 'Status: closed prevents ticket update', error: 'ClosedPreventsUpdate' }];
    const status = statuses.find((s) => s === input.status);
    if (input.status !== undefined && !status) errors.status = [{ description: `Status: ${input.status} is not valid`, error: 'InvalidValue' }];
    const priority = priorities.find((p) => p === input.priority);
    if (typeof input.priority === 'string' && !priority) errors.priority = [{ description: `Priority: ${input.priority} is not valid`, error: 'InvalidValue' }];
    if (typeof input.group_id === 'number' && !account.groups.has(input.group_id)) errors.group_id = [{ description: 'Group: is invalid', error: 'InvalidValue' }];
    const comment = input.comment;
    if (comment && (comment.body ?? comment.html_body ?? '').trim() === '') errors.comment = [{ description: 'Comment: cannot be blank', error: 'BlankValue' }];
    if (Object.keys(errors).length > 0) return sendError(res, recordInvalid(errors));

    if (status) ticket.status = status;
    if (input.priority === null) ticket.priority = null;
    else if (priority) ticket.priority = priority;
    if (input.tags) ticket.tags = [...new Set(input.tags)];
    if (input.group_id !== undefined) ticket.group_id = input.group_id;
    ticket.updated_at = account.timestamp();
    const auditEvents: unknown[] = [];
    if (comment) {
      const id = account.id();
      account.comments.push({
        id,
        ticket_id: ticket.id,
        author_id: comment.author_id ?? ticket.requester_id,
        body: comment.body ?? comment.html_body ?? '',
        html_body: comment.html_body ?? null,
        public: comment.public ?? true,
        created_at: account.timestamp(),
        file_urls: [],
        external_id: null,
      });
      auditEvents.push({ id, type: 'Comment', public: comment.public ?? true });
    }
    const root = apiRoot(req, account);
    res.status(200).json({ ticket: ticketJson(root, account, ticket), audit: { id: account.id(), ticket_id: ticket.id, created_at: ticket.updated_at, events: auditEvents } });
  });

  return router;
}
