import type { z } from 'zod';
import { html, type Html, type HtmlValue } from './html';

/** A table with a caption for screen readers; `numeric` columns align right. */
export function dataTable<T>(options: {
  caption: string;
  columns: ReadonlyArray<{ label: string; numeric?: boolean; cell(row: T): HtmlValue }>;
  rows: readonly T[];
  empty: string;
}): Html {
  if (options.rows.length === 0) return html`<p class="muted">${options.empty}</p>`;
  return html`<table><caption class="visually-hidden">${options.caption}</caption>
<thead><tr>${options.columns.map((c) => html`<th scope="col"${c.numeric ? html` class="num"` : ''}>${c.label}</th>`)}</tr></thead>
<tbody>${options.rows.map((row) => html`<tr>${options.columns.map((c) => html`<td${c.numeric ? html` class="num"` : ''}>${c.cell(row)}</td>`)}</tr>`)}</tbody></table>`;
}

export type BadgeTone = 'ok' | 'warn' | 'error' | 'neutral';

export function badge(text: string, tone: BadgeTone = 'neutral'): Html {
  return html`<span class="badge badge-${tone}">${text}</span>`;
}

/** A time as UTC, machine-readable in `datetime`, the same on every screen and in every test. */
export function timeTag(at: Date | string | null | undefined): Html {
  if (!at) return html`<span class="muted">–</span>`;
  const date = at instanceof Date ? at : new Date(at);
  return html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** "Older" / "Newer" links that keep the page's other query parameters. */
export function pager(path: string, query: Record<string, string | undefined>, links: { older?: Record<string, string>; newer?: Record<string, string> }): Html {
  const href = (extra: Record<string, string>) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...query, ...extra })) if (v) params.set(k, v);
    return `${path}?${params.toString()}`;
  };
  if (!links.older && !links.newer) return html``;
  return html`<nav class="pager" aria-label="Pages">${links.newer ? html`<a href="${href(links.newer)}" rel="prev">Newer</a>` : ''}${links.older ? html`<a href="${href(links.older)}" rel="next">Older</a>` : ''}</nav>`;
}

/** A labelled `<select>`; `value` is selected. */
export function selectField(options: { name: string; label: string; value: string | undefined; choices: ReadonlyArray<{ value: string; label: string }> }): Html {
  return html`<label>${options.label}<select name="${options.name}">${options.choices.map((c) => html`<option value="${c.value}"${c.value === (options.value ?? '') ? html` selected` : ''}>${c.label}</option>`)}</select></label>`;
}

/** Form input checked with a zod schema: the data, or one message per problem naming the field. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): { ok: true; data: z.infer<S> } | { ok: false; problems: string[] } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, problems: result.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`) };
}

/** The problems of a refused form, above the form, announced to screen readers. */
export function formProblems(problems: readonly string[]): Html {
  if (problems.length === 0) return html``;
  return html`<div class="notice notice-error" role="alert"><p>Nothing was saved:</p><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>`;
}
