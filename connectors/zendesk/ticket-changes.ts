import { z } from 'zod';
import type { DeliverContext, EventResult, Installation, SyncEvent } from '../../core/connectors/contract';
import { handoffOf, handoffText } from '../../core/sync/handoff-event';
import { ZendeskRestClient, type TicketPriority, type TicketUpdate, type ZendeskError, type ZendeskResult, type ZendeskTicket } from './client';
import { linkTypes } from './map-event-to-resource';
import { reauthoriseMessage } from './requesters';
import { hasRestToken, withRestToken } from './rest-token';
import { zendeskApiBase, type ZendeskConfig, type ZendeskCredentials } from './zendesk-settings';

type ZendeskInstallation = Installation<ZendeskConfig, ZendeskCredentials>;

/** The tag a missed response target leaves on the ticket, for views and triggers. */
export const slaBreachedTag = 'whatsapp_sla_breached';

/** What an automation event asks of the conversation's ticket: only ever added to, never taken away. */
export interface TicketChange {
  groupId?: number;
  tags: readonly string[];
  /** A missed target: at least high. Never urgent: that is an agent's call (it often pages people). */
  raisePriority?: true;
  /** An internal note (plain text: Zendesk shows `body` as typed, so nothing in it is markup). Written once per event. */
  note?: string;
}

const routedData = z.object({
  team: z.object({
    key: z.string(),
    zendesk: z.object({ groupId: z.number().int().positive().optional(), tags: z.array(z.string()).default([]) }).optional(),
  }),
});
const breachedData = z.object({ kind: z.enum(['first_response', 'next_response']) });

export type PlannedChange = { kind: 'change'; change: TicketChange } | { kind: 'skip'; reason: string } | { kind: 'rejected'; error: string };

/** The ticket change a routed, breached or handed-off conversation asks for (a follow-up due asks none); undefined for every other event (those are pushed). */
export function ticketChangeOf(event: SyncEvent): PlannedChange | undefined {
  if (event.type === 'conversation.routed') {
    const data = routedData.safeParse(event.data);
    if (!data.success) return { kind: 'rejected', error: `conversation.routed without a readable team: ${data.error.message}` };
    const { key, zendesk } = data.data.team;
    if (zendesk?.groupId === undefined && (zendesk?.tags.length ?? 0) === 0) return { kind: 'skip', reason: `team ${key} has no Zendesk group or tags` };
    return { kind: 'change', change: { ...(zendesk?.groupId === undefined ? {} : { groupId: zendesk.groupId }), tags: zendesk?.tags ?? [] } };
  }
  if (event.type === 'conversation.sla_breached') {
    const data = breachedData.safeParse(event.data);
    if (!data.success) return { kind: 'rejected', error: `conversation.sla_breached without a readable kind: ${data.error.message}` };
    return { kind: 'change', change: { tags: [slaBreachedTag], raisePriority: true } };
  }
  if (event.type === 'conversation.follow_up_due') {
    return { kind: 'skip', reason: 'a follow-up is a task for a CRM owner: the ticket already shows the unanswered template' };
  }
  if (event.type === 'conversation.handoff') {
    const handoff = handoffOf(event);
    if (handoff === undefined) return { kind: 'rejected', error: 'conversation.handoff without a readable reason or transcript' };
    if (handoff.to === 'bot') return { kind: 'skip', reason: 'handed back to the bot: agents see its replies on the ticket' };
    return { kind: 'change', change: { tags: [], note: handoffText(handoff) } };
  }
  return undefined;
}

/** The conversation's link that records a handoff's note as written: one per event (its external id). */
export function handoffNoteLinkType(event: SyncEvent): string {
  return `zendesk_handoff_note:${event.externalId}`;
}

/** An applied change's result, or a 429 that makes the whole batch wait (costing no attempt). */
export type AppliedChange = { ok: true; result: EventResult } | { ok: false; rateLimited: ZendeskError };

const restTimeoutMs = 10_000;
/** A safe update refused because an agent changed the ticket meanwhile is read and tried again this often. */
const conflictAttempts = 3;
const priorityRank: Record<TicketPriority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

/**
 * Applies a change to the conversation's ticket through the REST API: read it, merge (tags added to the list read,
 * priority only raised, the group set), and write only what differs, as a safe update (a 409 means an agent changed
 * it meanwhile: read again). So a retried or redelivered event writes nothing twice: its tags and priority are there.
 * The ticket id comes with the push's event callback, after the push: until then the event waits (retry), as the
 * conversation's first message goes before it and its callback follows within seconds.
 */
export async function applyTicketChange(installation: ZendeskInstallation, event: SyncEvent, planned: PlannedChange, ctx: DeliverContext): Promise<AppliedChange> {
  if (planned.kind === 'skip') return eventResult({ status: 'skipped', reason: planned.reason });
  if (planned.kind === 'rejected') return eventResult({ status: 'rejected', error: planned.error });
  const { change } = planned;
  if (change.note === undefined) return writeChange(installation, event, change);
  // A note is not a value the ticket either has or not: a link, saved under a lock as the note is written, says it is there.
  if (ctx.exclusive === undefined) return eventResult({ status: 'retry', error: 'The sync engine gave no lock to write the handoff note under' });
  const linkType = handoffNoteLinkType(event);
  return ctx.exclusive(linkType, async (links) => {
    if ((await links.read('conversation', event.conversationId))[linkType] !== undefined) return eventResult({ status: 'delivered' });
    const applied = await writeChange(installation, event, change);
    const ticketId = event.links.conversation[linkTypes.ticket];
    if (applied.ok && applied.result.status === 'delivered' && ticketId !== undefined) {
      await links.save([{ entityType: 'conversation', entityId: event.conversationId, externalType: linkType, externalId: ticketId }]);
    }
    return applied;
  });
}

async function writeChange(installation: ZendeskInstallation, event: SyncEvent, change: TicketChange): Promise<AppliedChange> {
  if (!hasRestToken(installation)) return eventResult({ status: 'skipped', reason: 'Zendesk REST is not authorised for this installation: an admin must authorise it' });
  const linked = event.links.conversation[linkTypes.ticket];
  if (linked === undefined) return eventResult({ status: 'retry', error: 'ZENDESK_NO_TICKET_YET: the conversation\'s ticket id has not come back from Zendesk yet' });
  const ticketId = Number(linked);
  const rest = <T>(call: (client: ZendeskRestClient) => Promise<ZendeskResult<T>>) =>
    withRestToken(installation, (token) => call(new ZendeskRestClient({ apiBase: zendeskApiBase(), timeoutMs: restTimeoutMs }, installation.config.subdomain, token)));

  let last: ZendeskError | undefined;
  for (let attempt = 0; attempt < conflictAttempts; attempt++) {
    const read = await rest((client) => client.getTicket(ticketId));
    if (!read.ok) return failed(read.error, ticketId, change);
    const ticket = read.value;
    if (ticket.status === 'closed') return eventResult({ status: 'skipped', reason: `ticket ${ticketId} is closed: Zendesk allows no updates` });
    const update = updateFor(ticket, change);
    if (update === undefined) return eventResult({ status: 'delivered' });
    const written = await rest((client) => client.updateTicket(ticketId, { ...update, updatedStamp: ticket.updated_at }));
    if (written.ok) return eventResult({ status: 'delivered' });
    if (written.error.code !== 'CONFLICT') return failed(written.error, ticketId, change);
    last = written.error;
  }
  return eventResult({ status: 'retry', error: `Zendesk ticket ${ticketId} kept changing under the update: ${last?.message ?? 'conflict'}` });
}

/** The fields to write, only those that differ from the ticket as read; undefined when it has them all. */
function updateFor(ticket: ZendeskTicket, change: TicketChange): Omit<TicketUpdate, 'updatedStamp'> | undefined {
  const missing = change.tags.filter((t) => !ticket.tags.includes(t));
  const raise = change.raisePriority === true && priorityRank[ticket.priority ?? 'normal'] < priorityRank.high;
  const regroup = change.groupId !== undefined && ticket.group_id !== change.groupId;
  if (missing.length === 0 && !raise && !regroup && change.note === undefined) return undefined;
  return {
    ...(change.note === undefined ? {} : { comment: { body: change.note, public: false } }),
    // `tags` replaces the list (Update Ticket); the read list plus ours, guarded by the safe update.
    ...(missing.length > 0 ? { tags: [...ticket.tags, ...missing] } : {}),
    ...(regroup ? { groupId: change.groupId } : {}),
    ...(raise ? { priority: 'high' as const } : {}),
  };
}

function failed(error: ZendeskError, ticketId: number, change: TicketChange): AppliedChange {
  switch (error.code) {
    case 'RATE_LIMITED':
      return { ok: false, rateLimited: error };
    case 'NOT_FOUND':
      return eventResult({ status: 'skipped', reason: `ticket ${ticketId} no longer exists in Zendesk` });
    case 'UNPROCESSABLE':
      if (error.fieldErrors?.status?.some((e) => e.error === 'ClosedPreventsUpdate') === true) {
        return eventResult({ status: 'skipped', reason: `ticket ${ticketId} is closed: Zendesk allows no updates` });
      }
      if (error.fieldErrors?.group_id !== undefined) {
        return eventResult({ status: 'rejected', error: `Zendesk refused group ${change.groupId ?? '?'} (${error.message}): fix the team's zendesk.groupId in the teams rule, then replay this event` });
      }
      return eventResult({ status: 'rejected', error: `Zendesk refused the ticket update: ${error.message}` });
    case 'UNAUTHORIZED':
    case 'FORBIDDEN':
    case 'INVALID_GRANT':
      return eventResult({ status: 'retry', error: reauthoriseMessage(error) });
    default:
      return eventResult({ status: 'retry', error: `Zendesk ticket ${ticketId}: ${error.code}: ${error.message}` });
  }
}

const eventResult = (result: EventResult): AppliedChange => ({ ok: true, result });
