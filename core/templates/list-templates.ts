import type { Db } from '../db/connect';
import { templateParameters, type ParameterFormat, type TemplateParameters } from './template-parameters';

export interface TemplateFilter {
  /** Templates of this number's WABA. */
  phoneNumberId?: string;
  /** e.g. APPROVED. Without it, every status except DELETED (gone from Meta, kept for history). */
  status?: string;
  language?: string;
  category?: string;
}

export interface TemplateView {
  id: string;
  meta_template_id: string;
  waba_id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  /** Only APPROVED templates can be sent (§6.2). */
  sendable: boolean;
  status_reason: string | null;
  status_changed_at: Date | null;
  synced_at: Date;
  parameter_format: ParameterFormat;
  components: Record<string, unknown>[];
  parameters: TemplateParameters;
}

interface TemplateRow {
  id: string; meta_template_id: string; waba_id: string; name: string; language: string; category: string; status: string;
  status_reason: string | null; status_changed_at: Date | null; synced_at: Date; parameter_format: string; components: Record<string, unknown>[];
}

export type ListTemplatesResult = { ok: true; items: TemplateView[] } | { ok: false; code: 'NUMBER_NOT_FOUND'; message: string };

/** The workspace's synced templates, each with the parameters a send must fill. */
export async function listTemplates(db: Db, workspaceId: string, filter: TemplateFilter = {}): Promise<ListTemplatesResult> {
  const query = db('template').where({ workspace_id: workspaceId });
  if (filter.phoneNumberId !== undefined) {
    const number: { waba_id: string } | undefined = await db('whatsapp_number').where({ workspace_id: workspaceId, phone_number_id: filter.phoneNumberId }).first('waba_id');
    if (!number) return { ok: false, code: 'NUMBER_NOT_FOUND', message: `No number with phone_number_id ${filter.phoneNumberId} in this workspace` };
    query.where({ waba_id: number.waba_id });
  }
  if (filter.status !== undefined) query.where({ status: filter.status });
  else query.whereNot({ status: 'DELETED' });
  if (filter.language !== undefined) query.where({ language: filter.language });
  if (filter.category !== undefined) query.where({ category: filter.category });
  const rows: TemplateRow[] = await query.orderBy([{ column: 'name' }, { column: 'language' }, { column: 'waba_id' }])
    .select('id', 'meta_template_id', 'waba_id', 'name', 'language', 'category', 'status', 'status_reason', 'status_changed_at', 'synced_at', 'parameter_format', 'components');
  return { ok: true, items: rows.map(toView) };
}

/** One stored template by name × language in a WABA: what the send path looks up before a template send. */
export async function findTemplate(db: Db, workspaceId: string, wabaId: string, name: string, language: string): Promise<TemplateView | null> {
  const row: TemplateRow | undefined = await db('template').where({ workspace_id: workspaceId, waba_id: wabaId, name, language }).first();
  return row ? toView(row) : null;
}

function toView(r: TemplateRow): TemplateView {
  const format: ParameterFormat = r.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL';
  return {
    id: r.id,
    meta_template_id: r.meta_template_id,
    waba_id: r.waba_id,
    name: r.name,
    language: r.language,
    category: r.category,
    status: r.status,
    sendable: r.status === 'APPROVED',
    status_reason: r.status_reason,
    status_changed_at: r.status_changed_at,
    synced_at: r.synced_at,
    parameter_format: format,
    components: r.components,
    parameters: templateParameters(r.components, format),
  };
}
