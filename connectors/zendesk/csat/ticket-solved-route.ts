import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { receivePlatformRequest, type PlatformRequestDeps } from '../../../core/connectors/receive-platform-request';
import { linkTypes } from '../map-event-to-resource';
import { ticketSolvedPayload, type SolvedTicket } from './ticket-solved';

/** Where the provisioned webhook posts; one URL per installation, so the signing secret to check is known. */
export const TICKET_SOLVED_PATH = '/connectors/zendesk/webhooks/ticket-solved';

const installationId = z.uuid();

/**
 * Zendesk's "ticket solved" webhook. The ticket is looked up among THIS installation's ticket links only, so
 * a ticket id of another account (or a non-WhatsApp ticket) finds nothing; the installation's connector then
 * verifies the signature before it answers anything about the ticket.
 */
export function ticketSolvedRoutes(deps: PlatformRequestDeps): Router {
  const router = Router();
  router.post(`${TICKET_SOLVED_PATH}/:installationId`, express.raw({ type: () => true, limit: '64kb' }), async (req: Request<{ installationId: string }>, res) => {
    const id = installationId.safeParse(req.params.installationId);
    if (!id.success) {
      res.status(404).json({ error: { code: 'NOT_FOUND', message: 'No such installation' } });
      return;
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const body = await solvedTicket(deps, id.data, rawBody);
    const answer = await receivePlatformRequest(deps, { connector: 'zendesk', installationId: id.data }, 'template', { headers, rawBody, body });
    res.status(answer.status).json(answer.body);
  });
  return router;
}

async function solvedTicket(deps: PlatformRequestDeps, installation: string, rawBody: Buffer): Promise<SolvedTicket> {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const payload = ticketSolvedPayload.safeParse(json);
  if (!payload.success) return null;
  const ticketId = payload.data.ticket_id;
  const link: { entity_id: string } | undefined = await deps.db('external_link')
    .where({ installation_id: installation, entity_type: 'conversation', external_type: linkTypes.ticket, external_id: ticketId })
    .first('entity_id');
  return { ticketId, conversationId: link?.entity_id ?? null };
}
