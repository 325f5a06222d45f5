import { Router } from 'express';
import { listNumbers, type NumberView } from '../../../core/numbers/register-number';
import { componentText } from '../../../core/templates/platform-templates';
import { listTemplates, type TemplateView } from '../../../core/templates/list-templates';
import { syncAllTemplates, type TemplateSyncResult } from '../../../core/templates/sync-templates';
import { templateFacets } from '../../../core/templates/template-facets';
import { listTemplatesQuery } from '../../routes/admin-templates';
import { badge, dataTable, formProblems, parseForm, selectField, timeTag, type BadgeTone } from '../components';
import type { ConsoleDeps } from '../console-deps';
import { redirectWithNotice } from '../console-router';
import { html, type Html } from '../html';
import { consoleLocals, csrfField, sendConsolePage } from '../layout';

const STATUS_TONE: Record<string, BadgeTone> = { APPROVED: 'ok', PAUSED: 'warn', PENDING: 'neutral', REJECTED: 'error', DISABLED: 'error' };
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];

/** Approved text with its variables (`{{1}}`, `{{first_name}}`) marked, so an admin sees what a send must fill. */
function withVariables(text: string): Html {
  return html`${text.split(/(\{\{[^{}]+\}\})/).map((part, i) => (i % 2 ? html`<code>${part}</code>` : part))}`;
}

function content(t: TemplateView): Html {
  const header = componentText(t, 'HEADER');
  const body = componentText(t, 'BODY');
  const footer = componentText(t, 'FOOTER');
  const media = t.parameters.header && t.parameters.header.format !== 'TEXT' ? t.parameters.header.format : null;
  return html`${header ? html`<p><strong>${withVariables(header)}</strong></p>` : ''}${media ? html`<p class="muted">Header: ${media.toLowerCase()}</p>` : ''}
${body ? html`<p>${withVariables(body)}</p>` : ''}${footer ? html`<p><small>${footer}</small></p>` : ''}
${t.parameters.buttons.length ? html`<ul aria-label="Buttons">${t.parameters.buttons.map((b) => html`<li>${badge(b.type.replaceAll('_', ' ').toLowerCase())} ${b.text}${b.url ? html` <small>${withVariables(b.url)}</small>` : ''}</li>`)}</ul>` : ''}`;
}

function statusCell(t: TemplateView): Html {
  return html`${badge(t.status, STATUS_TONE[t.status] ?? 'neutral')}${t.status_reason ? html`<br><small>${t.status_reason}</small>` : ''}${t.status_changed_at ? html`<br><small>since ${timeTag(t.status_changed_at)}</small>` : ''}`;
}

/** One notice for a sync of every WABA: counts where it worked, Meta's problem (with what to do) where not. */
function syncNotice(results: TemplateSyncResult[]): { kind: 'success' | 'error'; text: string } {
  if (results.length === 0) return { kind: 'error', text: 'No WhatsApp number is connected, so there is no WhatsApp Business Account to sync: connect a number on the Numbers page first.' };
  const parts = results.map((r) => (r.ok
    ? `WABA ${r.wabaId}: ${r.counts.listed} listed, ${r.counts.created} new, ${r.counts.updated} updated, ${r.counts.unchanged} unchanged, ${r.counts.deleted} deleted`
    : `WABA ${r.wabaId}: ${r.error.code}: ${r.error.message}`));
  return { kind: results.every((r) => r.ok) ? 'success' : 'error', text: `Template sync. ${parts.join('. ')}.` };
}

/**
 * /admin/templates: the message templates synced from each WABA, filtered as the admin API filters them, with
 * their status (and Meta's reason), their text and buttons, and "Sync now".
 */
export function templatesPage(deps: ConsoleDeps): Router {
  const router = Router();

  router.get('/admin/templates', async (req, res) => {
    const { session } = consoleLocals(res);
    const ws = session.workspaceId;
    // Empty selects mean "any": dropped before the API's own schema judges the rest.
    const given = Object.fromEntries(Object.entries(req.query).filter(([k, v]) => k in listTemplatesQuery.shape && typeof v === 'string' && v !== '')) as Record<string, string>;
    const filter = parseForm(listTemplatesQuery, given);
    const [numbers, facets] = await Promise.all([listNumbers(deps.db, ws), templateFacets(deps.db, ws)]);
    const listed = filter.ok
      ? await listTemplates(deps.db, ws, { phoneNumberId: filter.data.phone_number_id, status: filter.data.status, language: filter.data.language, category: filter.data.category })
      : undefined;
    const problems = !filter.ok ? filter.problems : listed && !listed.ok ? [`phone_number_id: ${listed.message}`] : [];
    const templates = listed?.ok ? listed.items : [];
    const numbersOf = (wabaId: string): NumberView[] => numbers.filter((n) => n.waba_id === wabaId);
    const filtered = Object.keys(given).length > 0;

    sendConsolePage(res, {
      title: 'Templates',
      section: 'templates',
      status: problems.length ? 400 : 200,
      body: html`<p>Message templates as Meta approved them, synced from each WhatsApp Business Account; status changes arrive by webhook.
Only approved templates can be sent. Business hours, teams and other rules are on the <a href="/admin/automation">Automation</a> page.</p>
${session.role === 'admin' ? html`<form method="post" action="/admin/templates/sync" class="inline">${csrfField(session)}<button type="submit">Sync now</button></form>` : ''}
<h2>Filter</h2>
${formProblems(problems)}
<form method="get" action="/admin/templates" class="inline" aria-label="Filter templates">
${selectField({ name: 'phone_number_id', label: 'Number', value: given.phone_number_id, choices: [{ value: '', label: 'Any number' }, ...numbers.map((n) => ({ value: n.phone_number_id, label: n.display_phone_number ?? n.phone_number_id }))] })}
${selectField({ name: 'status', label: 'Status', value: given.status, choices: [{ value: '', label: 'Any but deleted' }, ...facets.statuses.map((s) => ({ value: s, label: s }))] })}
${selectField({ name: 'category', label: 'Category', value: given.category, choices: [{ value: '', label: 'Any category' }, ...CATEGORIES.map((c) => ({ value: c, label: c }))] })}
${selectField({ name: 'language', label: 'Language', value: given.language, choices: [{ value: '', label: 'Any language' }, ...facets.languages.map((l) => ({ value: l, label: l }))] })}
<button type="submit" class="secondary">Filter</button>${filtered ? html` <a href="/admin/templates">Clear</a>` : ''}
</form>
<h2>${templates.length} ${templates.length === 1 ? 'template' : 'templates'}</h2>
${dataTable({
    caption: 'Message templates',
    rows: templates,
    empty: filtered ? 'No template matches these filters.' : 'No templates yet: press "Sync now" to fetch them from Meta.',
    columns: [
      { label: 'Name', cell: (t) => html`<strong>${t.name}</strong><br><small>id ${t.meta_template_id}</small>` },
      { label: 'Language', cell: (t) => t.language },
      { label: 'Category', cell: (t) => t.category },
      { label: 'Status', cell: statusCell },
      { label: 'Content', cell: content },
      { label: 'WABA', cell: (t) => html`${t.waba_id}${numbersOf(t.waba_id).map((n) => html`<br><small>${n.display_phone_number ?? n.phone_number_id}</small>`)}` },
      { label: 'Synced', cell: (t) => timeTag(t.synced_at) },
    ],
  })}`,
    });
  });

  router.post('/admin/templates/sync', async (_req, res) => {
    const results = await syncAllTemplates(deps, consoleLocals(res).session.workspaceId);
    await redirectWithNotice(deps.db, res, '/admin/templates', syncNotice(results));
  });

  return router;
}
