import type { Task } from 'graphile-worker';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { SecretBox } from '../crypto/secret-box';
import { loadNumberAccess, markNumberNeedsAttention, type NumberAccess } from '../numbers/number-access';
import type { Logger } from '../observability/logger';
import type { GraphClient } from '../whatsapp/graph-client';
import { GraphApiError } from '../whatsapp/graph-error';
import { enqueueSend } from './enqueue-send';
import { fetchAttachment, type AttachmentResult } from './fetch-attachment';
import { loadSendTarget } from './send-target';
import { graphMessageBody } from './graph-body';
import { baseMimeType, checkMedia, MEDIA_LIMITS } from './media-limits';
import { markAccepted, markFailed, recordRetry } from './send-outcome';
import { settleUnknownOutcome } from './unknown-outcome';
import { retryDelayMs, MAX_SEND_ATTEMPTS } from './retry-policy';
import { sendContent, type MediaContent } from './send-content';
import type { ThroughputLimiter } from './throughput-limiter';
import type { BlobStore } from '../media/blob-store';
import { stagedBlobKey } from './stage-attachment';

export interface SendTaskDeps {
  db: Knex;
  graph: GraphClient;
  secrets: SecretBox;
  logger: Logger;
  limiter: ThroughputLimiter;
  /** Hosts a file may be fetched from although they resolve to private addresses (a self-hosted store). */
  privateAttachmentHosts?: readonly string[];
  /** Where connectors' staged attachments are (see stage-attachment.ts). */
  blobs: BlobStore;
}

const payloadSchema = z.object({ workspaceId: z.uuid(), requestId: z.uuid() });

interface RequestRow {
  id: string;
  message_id: string;
  conversation_id: string;
  whatsapp_number_id: string;
  contact_id: string;
  content: unknown;
  state: string;
  attempts: number;
  media_id: string | null;
  created_at: Date;
  in_flight_at: Date | null;
  outcome_wait_since: Date | null;
  wa_id: string | null;
  throughput_mps: number;
}

/** A permanent refusal that is ours, not Meta's (the file, the contact), raised inside `attempt`. */
class NotSendable extends Error {
  constructor(readonly code: string, message: string, readonly details: string) {
    super(message);
  }
}

/**
 * Sends one stored outbound request to Meta (io pool, one queue per customer: see enqueue-send.ts).
 * Retryable refusals (130429, 131056, 131057, 5xx, network) are rescheduled with backoff by this
 * task rather than by graphile-worker, so the delay follows Meta's advice per code; permanent
 * ones fail the message; a rejected token (190) marks the number and fails the message with a
 * reason an admin can act on. Meta has no idempotency key for sends: an attempt cut off between the
 * Graph call and our commit is settled by its status webhook before anything is sent again
 * (unknown-outcome.ts).
 */
export function sendTask(deps: SendTaskDeps): Task {
  /** A staged file is read from the blob store; anything else is downloaded from its URL. */
  const readFile = async (workspaceId: string, content: MediaContent, maxBytes: number): Promise<AttachmentResult> => {
    if (content.url !== undefined) return fetchAttachment(content.url, maxBytes, { allowedHosts: deps.privateAttachmentHosts });
    const blob = await deps.blobs.get(stagedBlobKey(workspaceId, content.staged ?? ''));
    return blob ? { ok: true, attachment: blob } : { ok: false, retryable: false, tooLarge: false, message: 'The staged file is no longer stored' };
  };
  return async (payload, helpers) => {
    const { workspaceId, requestId } = payloadSchema.parse(payload);
    const request = await loadRequest(deps.db, workspaceId, requestId);
    if (!request || request.state !== 'queued') return; // sent, failed, or a stale duplicate job

    // Order per customer: an earlier message still waiting for its retry goes first.
    const earlier: { next_attempt_at: Date } | undefined = await deps.db('outbound_request')
      .where({ workspace_id: workspaceId, whatsapp_number_id: request.whatsapp_number_id, contact_id: request.contact_id, state: 'queued' })
      .whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [request.created_at, request.id])
      .orderBy('created_at')
      .first('next_attempt_at');
    if (earlier) {
      const delayMs = Math.max(0, earlier.next_attempt_at.getTime() - Date.now()) + 250;
      await enqueueSend(deps.db, { workspaceId, requestId, numberId: request.whatsapp_number_id, contactId: request.contact_id, delayMs });
      return;
    }

    const attempts = request.attempts + 1;
    if (await settleUnknownOutcome(deps.db, workspaceId, request, attempts) === 'settled') return;
    const fail = (code: number | string, title: string, details: string) => markFailed(deps.db, {
      workspaceId, requestId, messageId: request.message_id, conversationId: request.conversation_id, attempts, failure: { code, title, details },
    });

    const content = sendContent.safeParse(request.content);
    if (!content.success) return fail('INVALID_CONTENT', 'The stored request is not valid content', content.error.message);
    // Checked again at the moment of sending: a message can wait minutes behind retries, and a
    // STOP or a rejected token in the meantime must stop it.
    const target = await loadSendTarget(deps.db, workspaceId, request.conversation_id);
    if (target?.consentStatus === 'opted_out') {
      return fail('CONSENT_REVOKED', 'The contact opted out while the message was waiting to be sent', 'Do not message them on WhatsApp; they can opt in again by writing START');
    }
    if (target?.numberState === 'needs_attention') {
      return fail('NUMBER_NEEDS_ATTENTION', `The WhatsApp number cannot send: ${target.numberStateReason ?? 'Meta rejected its access token'}`,
        'Reconnect the number with a valid System User token (POST /api/v1/numbers), then send the message again');
    }
    if (!request.wa_id) return fail('RECIPIENT_UNKNOWN', 'The contact has no WhatsApp phone number', 'Send again once the customer has written from their number');
    const lastAttempt = helpers.job.attempts >= helpers.job.max_attempts;
    let access;
    try {
      access = await loadNumberAccess(deps.db, deps.secrets, workspaceId, request.whatsapp_number_id);
    } catch (err) {
      // E.g. a token sealed with a key no longer configured: fail on the last try rather than block the queue.
      if (lastAttempt) return fail('INTERNAL', 'The number\'s credentials could not be read', err instanceof Error ? err.message : String(err));
      throw err;
    }
    if (!access) return fail('NUMBER_NOT_FOUND', 'The WhatsApp number was removed', 'Connect the number again and send the message again');

    try {
      if (content.data.markRead && request.attempts === 0) await markLatestRead(deps, workspaceId, request.conversation_id, access);
      const mediaId = content.data.type === 'media'
        ? request.media_id ?? await uploadAttachment(deps, readFile, workspaceId, request.id, access, content.data)
        : undefined;
      await deps.limiter.take(request.whatsapp_number_id, request.throughput_mps);
      // From here until Meta's answer is recorded, a crash leaves the outcome unknown (see unknown-outcome.ts).
      await deps.db('outbound_request').where({ workspace_id: workspaceId, id: requestId }).update({ in_flight_at: deps.db.fn.now() });
      const sent = await deps.graph.sendMessage(access.phoneNumberId, access.token, graphMessageBody(content.data, `+${request.wa_id}`, mediaId));
      await markAccepted(deps.db, workspaceId, requestId, request.message_id, sent.wamid, attempts);
    } catch (err) {
      if (err instanceof NotSendable) return fail(err.code, err.message, err.details);
      if (!(err instanceof GraphApiError)) {
        // Our own trouble (database …): graphile-worker retries the job. On its last attempt the
        // request fails for good, so it cannot hold up the customer's later messages forever.
        if (lastAttempt) {
          return fail('INTERNAL', 'Threadline could not send the message', err instanceof Error ? err.message : String(err));
        }
        throw err;
      }
      if (err.kind === 'token') {
        await markNumberNeedsAttention(deps.db, workspaceId, access.id, `sending: ${err.message}`);
        return fail(err.code ?? 190, 'The number\'s access token was rejected',
          'Reconnect the number with a valid System User token (POST /api/v1/numbers), then send the message again');
      }
      if (err.kind === 'retryable' && attempts < MAX_SEND_ATTEMPTS) {
        const delayMs = retryDelayMs(err, attempts);
        deps.logger.info({ requestId, code: err.code, attempts, delayMs }, 'send refused for now; retrying');
        await deps.db.transaction(async (trx) => {
          await recordRetry(trx, workspaceId, requestId, attempts, delayMs, { code: err.code ?? err.httpStatus ?? err.reason, message: err.message, details: err.details ?? null });
          await enqueueSend(trx, { workspaceId, requestId, numberId: request.whatsapp_number_id, contactId: request.contact_id, delayMs });
        });
        return;
      }
      return fail(err.code ?? err.reason, titleOf(err), err.details ?? err.message);
    }
  };
}

async function loadRequest(db: Knex, workspaceId: string, requestId: string): Promise<RequestRow | undefined> {
  return db('outbound_request as r')
    .join('contact as k', function joinContact() { this.on('k.id', 'r.contact_id').andOn('k.workspace_id', 'r.workspace_id'); })
    .join('whatsapp_number as n', function joinNumber() { this.on('n.id', 'r.whatsapp_number_id').andOn('n.workspace_id', 'r.workspace_id'); })
    .where({ 'r.workspace_id': workspaceId, 'r.id': requestId })
    .first('r.id', 'r.message_id', 'r.conversation_id', 'r.whatsapp_number_id', 'r.contact_id', 'r.content', 'r.state', 'r.attempts', 'r.media_id', 'r.created_at',
      'r.in_flight_at', 'r.outcome_wait_since', 'k.wa_id', 'n.throughput_mps');
}

/** Meta's title is inside `message`, e.g. "(#131047) Re-engagement message" (§7.1). */
function titleOf(err: GraphApiError): string {
  const match = /^Graph API error \d+: (?:\(#\d+\) )?(.*)$/.exec(err.message);
  return match?.[1] ?? err.message;
}

/**
 * Blue ticks on the customer's latest message and the typing indicator until our reply lands.
 * Best effort: a refused read receipt never holds up the reply.
 */
async function markLatestRead(deps: SendTaskDeps, workspaceId: string, conversationId: string, access: NumberAccess): Promise<void> {
  const latest: { wamid: string } | undefined = await deps.db('message')
    .where({ workspace_id: workspaceId, conversation_id: conversationId, direction: 'inbound' })
    .whereNotIn('type', ['reaction', 'system'])
    .whereNotNull('wamid')
    .orderBy('sent_at', 'desc')
    .first('wamid');
  if (!latest) return;
  try {
    await deps.graph.markAsRead(access.phoneNumberId, access.token, latest.wamid, { typing: true });
  } catch (err) {
    deps.logger.info({ err, conversationId }, 'read receipt before a reply refused; sending anyway');
  }
}

/** Download, check against Meta's limits, upload; the id is kept so a retry does not upload again. */
async function uploadAttachment(
  deps: SendTaskDeps,
  readFile: (workspaceId: string, content: MediaContent, maxBytes: number) => Promise<AttachmentResult>,
  workspaceId: string,
  requestId: string,
  access: NumberAccess,
  content: MediaContent,
): Promise<string> {
  const limit = MEDIA_LIMITS[content.kind].maxBytes;
  const fetched = await readFile(workspaceId, content, limit);
  if (!fetched.ok) {
    if (fetched.tooLarge) throw new NotSendable('MEDIA_TOO_LARGE', fetched.message, 'Send a smaller file, or share a link to it in a text message');
    if (fetched.retryable) throw new GraphApiError(fetched.message, { reason: 'network', kind: 'retryable' });
    throw new NotSendable('MEDIA_DOWNLOAD_FAILED', fetched.message, 'Check that the file is still available to Threadline, then send again');
  }
  // A generic type from the file host says nothing; the platform's declared type then stands.
  const served = fetched.attachment.contentType ? baseMimeType(fetched.attachment.contentType) : '';
  const mimeType = served && served !== 'application/octet-stream' ? served : baseMimeType(content.mime_type);
  const check = checkMedia(content.kind, mimeType, fetched.attachment.data.length);
  if (!check.ok) throw new NotSendable(check.code, check.message, check.hint);
  const filename = content.filename ?? (content.url === undefined ? undefined : new URL(content.url).pathname.split('/').pop()) ?? content.kind;
  const mediaId = await deps.graph.uploadMedia(access.phoneNumberId, access.token, { data: fetched.attachment.data, mimeType, filename: filename || content.kind });
  await deps.db('outbound_request').where({ workspace_id: workspaceId, id: requestId }).update({ media_id: mediaId, updated_at: deps.db.fn.now() });
  return mediaId;
}
