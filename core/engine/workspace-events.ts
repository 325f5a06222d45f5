import type { Knex } from 'knex';
import type { InboxPayload } from '../inbox/inbox-event';
import { writeAudit } from '../audit/write-audit';
import { applyTemplateStatus, templateStatusUpdateSchema } from '../templates/apply-template-status';
import type { EngineContext } from './engine-context';

type Payload<K extends InboxPayload['kind']> = Extract<InboxPayload, { kind: K }>;

/**
 * Template review and quality outcomes keep the synced template's status current. Every update is audited,
 * including one for a template not synced yet (the next sync brings it) and one older than the stored status.
 */
export async function recordTemplateStatus(trx: Knex.Transaction, workspaceId: string, payload: Payload<'template_status'>): Promise<void> {
  const { update } = payload;
  const parsed = templateStatusUpdateSchema.safeParse(update);
  // Without an entry time the update is taken as of now: later than anything stored, which it most likely is.
  const at = payload.time ? new Date(payload.time * 1000) : new Date();
  const outcome = parsed.success ? await applyTemplateStatus(trx, workspaceId, payload.wabaId, parsed.data, at) : 'unreadable';
  await writeAudit(trx, {
    workspaceId,
    actor: 'whatsapp',
    action: `template.${String(update.event ?? 'updated').toLowerCase()}`,
    entityType: 'template',
    entityId: String(update.message_template_id ?? update.message_template_name ?? 'unknown'),
    data: { wabaId: payload.wabaId, time: payload.time, ...update, outcome },
  });
}

/** Quality and messaging-limit changes of a number: audited only, for now. */
export async function recordQualityUpdate(trx: Knex.Transaction, workspaceId: string, payload: Payload<'quality_update'>): Promise<void> {
  const { update } = payload;
  await writeAudit(trx, {
    workspaceId,
    actor: 'whatsapp',
    action: `whatsapp_number.quality_${String(update.event ?? 'update').toLowerCase()}`,
    entityType: 'whatsapp_number',
    entityId: String(update.display_phone_number ?? payload.wabaId),
    data: { wabaId: payload.wabaId, time: payload.time, ...update },
  });
}

/** App-level errors with no message attached (e.g. 130429 rate limit): someone should look. */
export async function recordSystemError(ctx: EngineContext, trx: Knex.Transaction, workspaceId: string, payload: Payload<'system_error'>): Promise<void> {
  ctx.logger.warn({ workspaceId, phoneNumberId: payload.phoneNumberId, errors: payload.errors }, 'WhatsApp reported an error');
  await writeAudit(trx, {
    workspaceId,
    actor: 'whatsapp',
    action: 'whatsapp_number.error',
    entityType: 'whatsapp_number',
    entityId: payload.phoneNumberId,
    data: { wabaId: payload.wabaId, errors: payload.errors },
  });
}
