import type { Knex } from 'knex';
import { z } from 'zod';

/**
 * `message_template_status_update` value (§6.3). Loose and forgiving: Meta adds fields, and an odd detail
 * must not keep a template's status from being recorded.
 */
export const templateStatusUpdateSchema = z.looseObject({
  event: z.string(),
  message_template_id: z.union([z.string(), z.number()]).transform(String).optional().catch(undefined),
  message_template_name: z.string().optional().catch(undefined),
  message_template_language: z.string().optional().catch(undefined),
  reason: z.string().nullable().optional().catch(undefined),
  other_info: z.looseObject({ title: z.string().optional(), description: z.string().optional() }).optional().catch(undefined),
  rejection_info: z.looseObject({ reason: z.string().optional(), recommendation: z.string().optional() }).optional().catch(undefined),
  disable_info: z.looseObject({ disable_date: z.union([z.string(), z.number()]).optional() }).optional().catch(undefined),
});
export type TemplateStatusUpdate = z.infer<typeof templateStatusUpdateSchema>;

/**
 * The template status an event leaves behind. REINSTATED means approved again. FLAGGED (quality
 * dropping, still sendable), LOCKED (edits blocked) and UNARCHIVED (back to a status the event does not
 * name) change no status: their reason is recorded and the next sync brings the status.
 */
const statusAfter: Record<string, string | null> = {
  APPROVED: 'APPROVED',
  REINSTATED: 'APPROVED',
  REJECTED: 'REJECTED',
  PENDING: 'PENDING',
  PAUSED: 'PAUSED',
  DISABLED: 'DISABLED',
  IN_APPEAL: 'IN_APPEAL',
  ARCHIVED: 'ARCHIVED',
  DELETED: 'DELETED',
  PENDING_DELETION: 'PENDING_DELETION',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  FLAGGED: null,
  LOCKED: null,
  UNARCHIVED: null,
};

/** What happened to a status update: applied, older than what is stored, or about a template not synced yet. */
export type TemplateStatusOutcome = 'applied' | 'stale' | 'unknown_template';

/** Reason, pause title/description, rejection explanation and disable date, as one line a person reads. */
export function statusReasonOf(update: TemplateStatusUpdate): string | null {
  const parts: string[] = [];
  if (update.reason && update.reason !== 'NONE') parts.push(update.reason);
  const other = [update.other_info?.title, update.other_info?.description].filter(Boolean).join(': ');
  if (other) parts.push(other);
  const rejection = [update.rejection_info?.reason, update.rejection_info?.recommendation ? `Recommendation: ${update.rejection_info.recommendation}` : undefined]
    .filter(Boolean).join(' ');
  if (rejection) parts.push(rejection);
  if (update.disable_info?.disable_date !== undefined) parts.push(`disabled on ${String(update.disable_info.disable_date)}`);
  const event = update.event.toUpperCase();
  // An event that changes no status is only visible through its reason: name it.
  if (statusAfter[event] === null || !(event in statusAfter)) parts.unshift(event);
  return parts.length ? parts.join(' — ') : null;
}

/**
 * Applies one status update to the stored template (by Meta id, else by name × language), only when it is
 * newer than the status stored: webhooks arrive out of order and late (Meta retries for days).
 */
export async function applyTemplateStatus(trx: Knex.Transaction, workspaceId: string, wabaId: string, update: TemplateStatusUpdate, at: Date): Promise<TemplateStatusOutcome> {
  const query = trx('template').where({ workspace_id: workspaceId, waba_id: wabaId });
  if (update.message_template_id !== undefined) query.where({ meta_template_id: update.message_template_id });
  else if (update.message_template_name !== undefined && update.message_template_language !== undefined) {
    query.where({ name: update.message_template_name, language: update.message_template_language });
  } else return 'unknown_template';
  const row: { id: string; status: string; status_changed_at: Date | null } | undefined = await query.forUpdate().first('id', 'status', 'status_changed_at');
  if (!row) return 'unknown_template';
  if (row.status_changed_at !== null && row.status_changed_at.getTime() >= at.getTime()) return 'stale';
  const event = update.event.toUpperCase();
  const status = statusAfter[event] ?? row.status;
  await trx('template').where({ id: row.id, workspace_id: workspaceId }).update({ status, status_reason: statusReasonOf(update), status_changed_at: at });
  return 'applied';
}
