import type { MetaFakeState } from './fake-state';
import { invalidParameter, unsupportedRequest, type FakeGraphError } from './graph-errors';
import { compareIds, type FakeTemplate } from './template-registry';

export type TemplateListAnswer = { body: Record<string, unknown> } | { error: FakeGraphError };

/** Graph's default page size for edges. */
const DEFAULT_LIMIT = 25;
/** What a template answers, in the order of template-list-response.json. */
const DEFAULT_FIELDS = ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'];
const KNOWN_FIELDS = new Set([...DEFAULT_FIELDS, 'rejected_reason', 'quality_score']);

// Opaque to clients, as Graph's are; here the id of the template a page ends or starts with.
const encodeCursor = (id: string) => Buffer.from(`template:${id}`).toString('base64url');
function decodeCursor(cursor: string): string | undefined {
  const match = /^template:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match?.[1];
}

function fieldsOf(template: FakeTemplate): Record<string, unknown> {
  return {
    name: template.name,
    parameter_format: template.parameter_format,
    components: structuredClone(template.components),
    language: template.language,
    status: template.status,
    category: template.category,
    id: template.id,
    rejected_reason: template.status === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE',
    quality_score: { score: 'UNKNOWN' },
  };
}

/**
 * `GET /{waba-id}/message_templates` (§6.1): only a token of one of the WABA's numbers sees it; `fields`
 * (unknown → 100), `status` filter (comma-separated allowed), `limit` and the `after` cursor. `paging.cursors`
 * comes with any non-empty page, `paging.next` only when there is more, as on Graph.
 */
export function listTemplates(state: MetaFakeState, wabaId: string, token: string, query: Record<string, unknown>, selfUrl: string): TemplateListAnswer {
  if (!state.wabaVisible(wabaId, token)) return { error: unsupportedRequest('GET', wabaId) };

  const fields = typeof query.fields === 'string' && query.fields !== '' ? query.fields.split(',').map((f) => f.trim()) : DEFAULT_FIELDS;
  const unknown = fields.find((f) => !KNOWN_FIELDS.has(f));
  if (unknown !== undefined) {
    return { error: { httpStatus: 400, body: { error: { message: `(#100) Tried accessing nonexisting field (${unknown}) on node type (WhatsAppBusinessHSM)`, type: 'OAuthException', code: 100, fbtrace_id: 'FAKE_FBTRACE_TEMPLATE_FIELDS' } } } };
  }
  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) return { error: invalidParameter(`limit must be a positive integer, got ${String(query.limit)}`) };
  }
  let afterId: string | undefined;
  if (query.after !== undefined) {
    afterId = typeof query.after === 'string' ? decodeCursor(query.after) : undefined;
    if (afterId === undefined) return { error: invalidParameter('after is not a valid cursor') };
  }
  const statuses = typeof query.status === 'string' && query.status !== '' ? new Set(query.status.split(',').map((s) => s.trim().toUpperCase())) : undefined;

  const matching = state.templates.list(wabaId)
    .filter((t) => statuses === undefined || statuses.has(t.status))
    .filter((t) => afterId === undefined || compareIds(t.id, afterId) > 0);
  const page = matching.slice(0, limit);
  const body: Record<string, unknown> = {
    data: page.map((t) => {
      const values = fieldsOf(t);
      // Graph always includes the id; the rest only when asked for.
      return Object.fromEntries([...fields.filter((f) => f !== 'id'), 'id'].map((f) => [f, values[f]]));
    }),
  };
  const first = page[0];
  const last = page[page.length - 1];
  if (first && last) {
    const paging: Record<string, unknown> = { cursors: { before: encodeCursor(first.id), after: encodeCursor(last.id) } };
    if (matching.length > page.length) {
      const next = new URL(selfUrl);
      for (const [k, v] of Object.entries(query)) if (typeof v === 'string') next.searchParams.set(k, v);
      // Graph puts the token into `next`: one reason a client should page with the cursor, not this URL.
      next.searchParams.set('access_token', token);
      next.searchParams.set('limit', String(limit));
      next.searchParams.set('after', encodeCursor(last.id));
      paging.next = next.toString();
    }
    body.paging = paging;
  }
  return { body };
}
