import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import { checkGuardRails, type GuardRails } from '../automation/outbound-limits';
import { meetSlaTimer } from '../automation/sla-timers';
import { UNSTORABLE_TEXT_MESSAGE, unstorablePath } from '../db/storable-text';
import { enqueueSend } from './enqueue-send';
import { graphMessageBody, renderText } from './graph-body';
import { readOutbound, type OutboundState } from './outbound-state';
import { senderSchema, sendContent, type SendContent, type Sender } from './send-content';
import { sendError, type SendError } from './send-error';
import { emitOutbound } from './send-events';
import { checkSendPolicy } from './send-policy';
import { loadSendTarget } from './send-target';

export interface SendDeps {
  db: Knex;
  /** Injectable clock for the window check. */
  now?: () => Date;
}

export interface SendInput {
  workspaceId: string;
  conversationId: string;
  /** The caller's key for this message: the same key again returns the first result and sends nothing. */
  idempotencyKey: string;
  sender: Sender;
  /** The platform installation the reply was written on; absent for the admin API and automations. */
  originInstallationId?: string;
  /** Validated here: any caller (platform, admin API, automation) may hand raw input. */
  content: unknown;
  /** Templates nobody typed (triggers, automations, platform workflows): frequency cap and quiet hours. */
  guardRails?: GuardRails;
}

export type SendResult =
  | { ok: true; duplicate: boolean; outbound: OutboundState }
  | { ok: false; error: SendError };

const idempotencyKey = z.string().min(1).max(255);

/**
 * The one way Threadline sends a WhatsApp message. Checks policy, then stores the message
 * (pending, no wamid yet) with its request and a send job in one transaction; the job talks to
 * Meta (send-task.ts). Nothing is sent when policy refuses; a repeated idempotency key returns
 * the first request's current state.
 */
export async function send(deps: SendDeps, input: SendInput): Promise<SendResult> {
  const parsed = parseInput(input);
  if (!parsed.ok) return parsed;
  const { content, sender } = parsed;
  const hash = requestHash(input.conversationId, content);

  const earlier = await findByKey(deps.db, input.workspaceId, input.idempotencyKey, hash);
  if (earlier) return earlier;

  const target = await loadSendTarget(deps.db, input.workspaceId, input.conversationId);
  if (!target) return { ok: false, error: sendError('NOT_FOUND', `No conversation ${input.conversationId} in this workspace`, 'Check the conversation id') };
  const now = deps.now?.() ?? new Date();
  const refused = await checkSendPolicy(deps.db, target, content, now);
  if (refused) return { ok: false, error: refused };

  return deps.db.transaction(async (trx) => {
    // Two concurrent calls with one key: the second waits here, then finds the first's row.
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`send:${input.workspaceId}:${input.idempotencyKey}`]);
    const raced = await findByKey(trx, input.workspaceId, input.idempotencyKey, hash);
    if (raced) return raced;
    const held = await checkGuardRails(trx, input.guardRails, target, content, now);
    if (held) return { ok: false, error: held };

    const [message]: { id: string }[] = await trx('message').insert({
      workspace_id: input.workspaceId,
      conversation_id: target.conversationId,
      wamid: null,
      direction: 'outbound',
      type: content.type === 'media' ? content.kind : content.type,
      body: JSON.stringify(storedBody(content)),
      text: renderText(content),
      context_wamid: content.type === 'reaction' ? null : content.replyTo ?? null,
      status: 'pending',
      sent_at: trx.fn.now(),
      sent_by: JSON.stringify(sender),
    }).returning('id');
    if (!message) throw new Error('outbound message not inserted');
    const [request]: { id: string }[] = await trx('outbound_request').insert({
      workspace_id: input.workspaceId,
      idempotency_key: input.idempotencyKey,
      request_hash: hash,
      conversation_id: target.conversationId,
      whatsapp_number_id: target.numberId,
      contact_id: target.contactId,
      message_id: message.id,
      content: JSON.stringify(content),
      sender: JSON.stringify(sender),
    }).returning('id');
    if (!request) throw new Error('outbound request not inserted');
    await trx('conversation').where({ workspace_id: input.workspaceId, id: target.conversationId })
      .update({ last_message_at: trx.raw('greatest(last_message_at, now())') });
    await meetSlaTimer(trx, target.conversationId, sender.platform);
    await enqueueSend(trx, { workspaceId: input.workspaceId, requestId: request.id, numberId: target.numberId, contactId: target.contactId });
    await emitOutbound(trx, {
      workspaceId: input.workspaceId, conversationId: target.conversationId, messageId: message.id, originInstallationId: parsed.originInstallationId,
      sender, type: content.type === 'media' ? content.kind : content.type, text: renderText(content), replyTo: content.type === 'reaction' ? null : content.replyTo ?? null,
      contactId: target.contactId, waId: target.waId,
    });
    const outbound = await readOutbound(trx, input.workspaceId, request.id);
    if (!outbound) throw new Error('outbound request vanished');
    return { ok: true, duplicate: false, outbound };
  });
}

type Parsed = { ok: true; content: SendContent; sender: Sender; originInstallationId: string | null } | { ok: false; error: SendError };
const originInstallationId = z.uuid().optional();

function parseInput(input: SendInput): Parsed {
  const problems: string[] = [];
  const content = sendContent.safeParse(input.content);
  if (!content.success) problems.push(...content.error.issues.map((i) => `${['content', ...i.path].join('.')}: ${i.message}`));
  const sender = senderSchema.safeParse(input.sender);
  if (!sender.success) problems.push(...sender.error.issues.map((i) => `${['sender', ...i.path].join('.')}: ${i.message}`));
  if (!idempotencyKey.safeParse(input.idempotencyKey).success) problems.push('idempotencyKey: must be 1 to 255 characters');
  const origin = originInstallationId.safeParse(input.originInstallationId);
  if (!origin.success) problems.push('originInstallationId: must be an installation id (uuid)');
  const unstorable = unstorablePath({ content: input.content, sender: input.sender, idempotencyKey: input.idempotencyKey });
  if (unstorable !== null) problems.push(`${unstorable}: ${UNSTORABLE_TEXT_MESSAGE}`);
  if (!content.success || !sender.success || !origin.success || problems.length) {
    return { ok: false, error: sendError('INVALID_CONTENT', `The message cannot be sent as given: ${problems.join('; ')}`, 'Fix the fields named and send again') };
  }
  return { ok: true, content: content.data, sender: sender.data, originInstallationId: origin.data ?? null };
}

/** Same conversation and content, whatever the key order of the caller's JSON (zod rebuilds it in schema order). */
function requestHash(conversationId: string, content: SendContent): string {
  return crypto.createHash('sha256').update(JSON.stringify([conversationId, content])).digest('hex');
}

async function findByKey(db: Knex, workspaceId: string, key: string, hash: string): Promise<SendResult | null> {
  const row: { id: string; request_hash: string } | undefined = await db('outbound_request')
    .where({ workspace_id: workspaceId, idempotency_key: key })
    .first('id', 'request_hash');
  if (!row) return null;
  if (row.request_hash !== hash) {
    return {
      ok: false,
      error: sendError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was used for a different message',
        'Use a new key for a new message; repeat a key only to retry the very same request'),
    };
  }
  const outbound = await readOutbound(db, workspaceId, row.id);
  return outbound ? { ok: true, duplicate: true, outbound } : null;
}

/** The message body in Meta's field names, like inbound bodies: a link stands in for media until it is uploaded. */
function storedBody(content: SendContent): Record<string, unknown> {
  if (content.type === 'media') {
    const media: Record<string, unknown> = content.url === undefined ? { staged: content.staged, mime_type: content.mime_type } : { link: content.url, mime_type: content.mime_type };
    if (content.filename !== undefined) media.filename = content.filename;
    if (content.caption !== undefined) media.caption = content.caption;
    return { type: content.kind, [content.kind]: media };
  }
  const { messaging_product: _p, recipient_type: _r, to: _t, context: _c, ...rest } = graphMessageBody(content, '');
  return rest;
}
