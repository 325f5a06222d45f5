import { Router } from 'express';
import { z } from 'zod';
import { auditFilterChoices, readAuditLog, summarizeAuditData, type AuditRow } from '../../../core/audit/read-audit';
import { dataTable, pager, selectField, timeTag } from '../components';
import type { ConsoleDeps } from '../console-deps';
import { html, type Html } from '../html';
import { consoleLocals, sendConsolePage } from '../layout';

const PAGE_SIZE = 50;
const PATH = '/admin/audit';

// Empty selects and cursors that do not parse (an edited link) read as "no filter" / "newest page".
const text = z.string().trim().min(1).max(200).optional().catch(undefined);
const cursor = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined);
const auditQuery = z.object({ actor: text, action: text, entity_type: text, before: cursor, after: cursor });

/** Entities with a console page of their own link to it. */
function entity(row: AuditRow): Html {
  if (row.entity_type === 'conversation') return html`<a href="/admin/conversations/${row.entity_id}">conversation ${row.entity_id.slice(0, 8)}</a>`;
  return html`${row.entity_type} <code>${row.entity_id}</code>`;
}

function details(data: unknown): Html {
  const summary = summarizeAuditData(data);
  if (summary.fields.length === 0) return html`<span class="muted">–</span>`;
  return html`<dl class="facts">${summary.fields.map((f) => html`<dt>${f.key}</dt><dd>${f.value}</dd>`)}</dl>${summary.more ? html`<small>and ${summary.more} more</small>` : ''}`;
}

const anyOf = (values: string[], what: string) => [{ value: '', label: `Any ${what}` }, ...values.map((v) => ({ value: v, label: v }))];

/** The workspace's audit log (issue 8 item 6): who changed what, newest first, filtered and keyset-paged. */
export function auditPage(deps: ConsoleDeps): Router {
  const router = Router();

  router.get(PATH, async (req, res) => {
    const ws = consoleLocals(res).session.workspaceId;
    const query = auditQuery.parse(req.query);
    const filter = { actor: query.actor, action: query.action, entityType: query.entity_type };
    const [page, choices] = await Promise.all([
      readAuditLog(deps.db, ws, filter, { before: query.before, after: query.after, limit: PAGE_SIZE }),
      auditFilterChoices(deps.db, ws),
    ]);
    const kept = { actor: query.actor, action: query.action, entity_type: query.entity_type };
    const body = html`
<form class="inline" method="get" action="${PATH}" aria-label="Filter the audit log">
${selectField({ name: 'actor', label: 'Who', value: query.actor, choices: anyOf(choices.actors, 'actor') })}
${selectField({ name: 'action', label: 'Action', value: query.action, choices: anyOf(choices.actions, 'action') })}
${selectField({ name: 'entity_type', label: 'Entity type', value: query.entity_type, choices: anyOf(choices.entityTypes, 'entity type') })}
<button type="submit">Filter</button>
${query.actor || query.action || query.entity_type ? html`<a href="${PATH}">Clear filters</a>` : ''}
</form>
${dataTable({
    caption: 'Audit log entries, newest first',
    rows: page.entries,
    empty: 'No entry matches these filters.',
    columns: [
      { label: 'When', cell: (r) => timeTag(r.at) },
      { label: 'Who', cell: (r) => r.actor },
      { label: 'Action', cell: (r) => html`<code>${r.action}</code>` },
      { label: 'On', cell: entity },
      { label: 'Details', cell: (r) => details(r.data) },
    ],
  })}
${pager(PATH, kept, {
    older: page.olderThan ? { before: String(page.olderThan) } : undefined,
    newer: page.newerThan ? { after: String(page.newerThan) } : undefined,
  })}`;
    sendConsolePage(res, { title: 'Audit log', section: 'audit', body });
  });

  return router;
}
