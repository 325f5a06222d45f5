import type { Knex } from 'knex';
import type { OutgoingMessage, ReplyOutcome, ReplyRequest, SendFunction } from '../connectors/contract';
import { findOrStartConversation, waIdSchema } from '../engine/start-conversation';
import type { JsonObject } from '../sync/conversation-event';
import type { SendError, TemplateSuggestion } from './send-error';
import { send, type SendDeps } from './send-message';

/**
 * Core's `send` as connectors reach it (the contract's SendFunction): the server injects it, so
 * connectors never import core/send. A reply goes through the same policy, queue and
 * idempotency as any other send, with the installation it was written on as its origin.
 */
export function sendFromPlatform(deps: SendDeps): SendFunction {
  return async (request) => {
    const conversationId = await resolveConversation(deps.db, request.workspaceId, request.to);
    if (conversationId) return sendTo(deps, request, conversationId);
    if ('waId' in request.to && request.message.type === 'template') return startWithTemplate(deps, request, request.to);
    return failure({
      code: 'NOT_FOUND',
      message: 'waId' in request.to
        ? `No conversation with ${request.to.waId} on number ${request.to.phoneNumberId} in this workspace: they have not written to this number, so there is no 24-hour window for a free-form message`
        : request.to.phoneNumberId === undefined ? 'No such conversation in this workspace' : `This conversation is not on the WhatsApp number this integration serves (${request.to.phoneNumberId})`,
      hint: 'Reply to a conversation the customer started on this number, or send an approved template: it starts the conversation',
    });
  };
}

/** A reply as the server hands it over: the installation's workspace and id filled in. */
type InstallationReply = Parameters<SendFunction>[0];

async function sendTo(deps: SendDeps, request: InstallationReply, conversationId: string): Promise<ReplyOutcome> {
  const result = await send(deps, {
    workspaceId: request.workspaceId,
    conversationId,
    // Keys are the connector's; scoped to the installation so two platforms can never collide.
    idempotencyKey: `installation:${request.originInstallationId}:${request.idempotencyKey}`,
    sender: { platform: request.author.platform, id: request.author.id, name: request.author.name },
    originInstallationId: request.originInstallationId,
    content: contentOf(request.message),
    // A platform's template outside the window is business-initiated (a workflow's); inside it, a person's reply,
    // unless the connector says nobody typed it.
    guardRails: { scope: request.unattended ? 'always' : 'outside_window', quietHours: true },
  });
  if (!result.ok) return failure(result.error);
  return { ok: true, messageId: result.outbound.messageId, wamid: result.outbound.wamid };
}

/**
 * A business-initiated template to a customer with no conversation on the number (a CRM workflow
 * on a contact who never wrote) starts one. Conversation and message commit together: when send
 * refuses (opted out, marketing without opt-in, template not approved …) it all rolls back, so a
 * refusal leaves no empty conversation, and the policy is the one every send goes through.
 */
async function startWithTemplate(deps: SendDeps, request: InstallationReply, to: { waId: string; phoneNumberId: string }): Promise<ReplyOutcome> {
  const waId = waIdSchema.safeParse(to.waId);
  if (!waId.success) {
    return failure({
      code: 'INVALID_CONTENT',
      message: `The customer's number ${JSON.stringify(to.waId)} ${waId.error.issues.map((i) => i.message).join('; ')}`,
      hint: 'Fix the phone number on the record (with its country code) and send again',
    });
  }
  const trx = await deps.db.transaction();
  try {
    const conversationId = await findOrStartConversation(trx, { workspaceId: request.workspaceId, phoneNumberId: to.phoneNumberId, waId: waId.data });
    const outcome = conversationId
      ? await sendTo({ ...deps, db: trx }, request, conversationId)
      : failure({
        code: 'NOT_FOUND',
        message: `WhatsApp number ${to.phoneNumberId} is not registered in this workspace`,
        hint: 'Send from one of the workspace\'s WhatsApp numbers, or register this one (POST /api/v1/numbers)',
      });
    if (outcome.ok) await trx.commit();
    else await trx.rollback();
    return outcome;
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback();
    throw error;
  }
}

/**
 * A platform that names the customer by phone (a CRM record) rather than by conversation: their
 * live conversation on that number, else the most recent one.
 */
async function resolveConversation(db: Knex, workspaceId: string, to: ReplyRequest['to']): Promise<string | null> {
  if ('conversationId' in to && to.phoneNumberId === undefined) return to.conversationId;
  if ('conversationId' in to) {
    // One integration account must never send from another's number, whatever conversation it names.
    const onNumber: { id: string } | undefined = await db('conversation as c')
      .join('whatsapp_number as n', function joinNumber() { this.on('n.id', 'c.whatsapp_number_id').andOn('n.workspace_id', 'c.workspace_id'); })
      .where({ 'c.workspace_id': workspaceId, 'c.id': to.conversationId, 'n.phone_number_id': to.phoneNumberId })
      .first('c.id');
    return onNumber?.id ?? null;
  }
  const row: { id: string } | undefined = await db('conversation as c')
    .join('contact as k', function joinContact() { this.on('k.id', 'c.contact_id').andOn('k.workspace_id', 'c.workspace_id'); })
    .join('whatsapp_number as n', function joinNumber() { this.on('n.id', 'c.whatsapp_number_id').andOn('n.workspace_id', 'c.workspace_id'); })
    .where({ 'c.workspace_id': workspaceId, 'k.wa_id': to.waId, 'n.phone_number_id': to.phoneNumberId })
    .orderByRaw(`c.status <> 'closed' desc, c.last_message_at desc nulls last`)
    .first('c.id');
  return row?.id ?? null;
}

/** The contract's small message vocabulary in send's content shape (send validates it). */
function contentOf(message: OutgoingMessage): unknown {
  if (message.type === 'text') {
    return { type: 'text', body: message.text, ...(message.previewUrl === undefined ? {} : { preview_url: message.previewUrl }) };
  }
  if (message.type === 'media') {
    const { attachment, caption } = message;
    return {
      type: 'media', kind: attachment.kind, staged: attachment.ref, mime_type: attachment.mimeType, size: attachment.size,
      // WhatsApp names documents only; a photo's name means nothing to the customer.
      ...(attachment.kind === 'document' && attachment.filename !== undefined ? { filename: attachment.filename } : {}),
      ...(caption === undefined ? {} : { caption }),
    };
  }
  const { parameters } = message;
  const body = isPositional(parameters)
    ? parameters.map((text) => ({ type: 'text', text }))
    : Object.entries(parameters).map(([name, text]) => ({ type: 'text', text, parameter_name: name }));
  return { type: 'template', name: message.name, language: message.language, ...(body.length ? { body } : {}) };
}

function isPositional(parameters: readonly string[] | Readonly<Record<string, string>>): parameters is readonly string[] {
  return Array.isArray(parameters);
}

/** Core's error code, and what to do instead (for WINDOW_CLOSED, the templates that fit; for QUIET_HOURS, when). */
function failure(error: Pick<SendError, 'code' | 'message' | 'hint' | 'templates' | 'retryAt'>): ReplyOutcome {
  const details: JsonObject = { hint: error.hint };
  if (error.templates) details.templates = error.templates.map(templateJson);
  if (error.retryAt) details.retryAt = error.retryAt.toISOString();
  return { ok: false, code: error.code, message: error.message, details };
}

function templateJson(t: TemplateSuggestion): JsonObject {
  return {
    name: t.name,
    language: t.language,
    category: t.category,
    parameter_format: t.parameter_format,
    parameters: { header: [...t.parameters.header], body: [...t.parameters.body], buttons: t.parameters.buttons.map((b) => ({ index: b.index, type: b.type })) },
  };
}
