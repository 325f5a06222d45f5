import { Router, type Request, type Response } from 'express';
import { analyticsQuery, filterDays, numberInWorkspace, routedTeams, withoutEmptyFields, type AnalyticsFilter } from '../../../core/analytics/analytics-filter';
import { analyticsReport, type AnalyticsReport } from '../../../core/analytics/analytics-report';
import { groupLabel } from '../../../core/analytics/figure-labels';
import type { CostGroup } from '../../../core/analytics/message-cost';
import { PRICING_CATEGORIES, rateCardInput, saveRateCard, type PricingCategory, type RateCard } from '../../../core/analytics/rate-card';
import { reportCsv } from '../../../core/analytics/report-csv';
import type { DurationGroup } from '../../../core/analytics/response-times';
import { listNumbers, type NumberView } from '../../../core/numbers/register-number';
import type { ConsoleDeps } from '../console-deps';
import { redirectWithNotice } from '../console-router';
import { dataTable, formProblems, selectField } from '../components';
import { html, jsonForScript, type Html } from '../html';
import { consoleLocals, csrfField, sendConsolePage } from '../layout';

const PATH = '/admin/analytics';
/** Blank rows under the rate card's own, for new markets. */
const BLANK_RATE_ROWS = 3;

type FilterResult =
  | { ok: true; filter: AnalyticsFilter; numbers: NumberView[]; query: Record<string, string> }
  | { ok: false; status: 400 | 404; problems: string[] };

/** The page's and the CSV's filter: a number of another workspace is a 404, as its conversations would be. */
async function readFilter(deps: ConsoleDeps, workspaceId: string, req: Request): Promise<FilterResult> {
  const parsed = analyticsQuery.safeParse(withoutEmptyFields(req.query));
  if (!parsed.success) return { ok: false, status: 400, problems: parsed.error.issues.map((i) => `${i.path.join('.') || 'filter'}: ${i.message}`) };
  const filter = parsed.data;
  if (filter.numberId && !(await numberInWorkspace(deps.db, workspaceId, filter.numberId))) return { ok: false, status: 404, problems: ['There is no such number in this workspace.'] };
  const days = filterDays(filter);
  const query: Record<string, string> = { from: days.from, to: days.to, ...(filter.numberId ? { number: filter.numberId } : {}), ...(filter.team ? { team: filter.team } : {}) };
  return { ok: true, filter, numbers: await listNumbers(deps.db, workspaceId), query };
}

/** The single, non-empty string fields of a query string, to show back in the form or carry to the next URL. */
function stringFields(query: Request['query']): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
}

const numberName = (n: Pick<NumberView, 'display_phone_number' | 'verified_name' | 'phone_number_id'>) => n.display_phone_number ?? n.verified_name ?? n.phone_number_id;

const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

/** A duration as people read it, machine-readable in `datetime` (ISO 8601). */
function duration(seconds: number | null): Html {
  if (seconds === null) return html`<span class="muted">–</span>`;
  const s = Math.round(seconds);
  const [d, h, m, rest] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const text = d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min${rest ? ` ${rest} s` : ''}` : `${rest} s`;
  return html`<time datetime="PT${seconds}S">${text}</time>`;
}

function money(amount: string, currency: string | null): string {
  if (!currency) return '–';
  return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(Number(amount));
}

function filterForm(query: Record<string, string>, numbers: readonly NumberView[], teams: readonly string[]): Html {
  const csv = new URLSearchParams(query);
  return html`<form class="inline" method="get" action="${PATH}" aria-label="Range and filters">
<label>From (UTC)<input type="date" name="from" value="${query.from ?? ''}" required></label>
<label>To, included (UTC)<input type="date" name="to" value="${query.to ?? ''}" required></label>
${selectField({ name: 'number', label: 'Number', value: query.number, choices: [{ value: '', label: 'All numbers' }, ...numbers.map((n) => ({ value: n.id, label: numberName(n) }))] })}
${selectField({ name: 'team', label: 'Team', value: query.team, choices: [{ value: '', label: 'All teams' }, ...teams.map((t) => ({ value: t, label: t }))] })}
<button type="submit">Show</button>
<a class="button secondary" href="${PATH}.csv?${csv.toString()}" download>Download CSV</a>
</form>`;
}

function cards(report: AnalyticsReport): Html {
  const inbound = report.daily.reduce((sum, d) => sum + d.inbound, 0);
  const outbound = report.daily.reduce((sum, d) => sum + d.outbound, 0);
  const card = (label: string, value: string | number) => html`<div class="card"><div class="muted">${label}</div><div class="value">${value}</div></div>`;
  return html`<div class="cards">
${card('Messages in', inbound)}${card('Messages out', outbound)}
${card('Delivery rate', percent(report.delivery.deliveryRate))}${card('Read rate', percent(report.delivery.readRate))}
${card('Failed', report.failures.reduce((sum, f) => sum + f.count, 0))}${card('SLA breaches', report.sla.total)}
${card('FAQ deflections', report.faq.deflected)}${card('CSAT average', report.csat.average ?? '–')}
${card('Cost', money(report.cost.total.cost, report.rateCard.currency))}
</div>`;
}

/** A chart drawn by analytics.js from the page's JSON, captioned with its totals; the table after it holds the same data. */
function chart(id: string, title: string, totals: string): Html {
  return html`<figure class="chart"><figcaption id="${id}-caption">${title}: ${totals}</figcaption>
<div id="chart-${id}" role="img" aria-labelledby="${id}-caption"></div></figure>`;
}

function messagesSection(report: AnalyticsReport): Html {
  const total = { day: 'Total', inbound: report.daily.reduce((s, d) => s + d.inbound, 0), outbound: report.daily.reduce((s, d) => s + d.outbound, 0) };
  const hourTotal = { hour: 'Total', inbound: report.hourly.reduce((s, h) => s + h.inbound, 0), outbound: report.hourly.reduce((s, h) => s + h.outbound, 0) };
  return html`<section aria-labelledby="messages"><h2 id="messages">Messages per day</h2>
${chart('daily', 'Messages per day (UTC)', `${total.inbound} in, ${total.outbound} out`)}
${dataTable({ caption: 'Messages per day', rows: [...report.daily, total], empty: '', columns: [
    { label: 'Day (UTC)', cell: (d) => d.day }, { label: 'In', numeric: true, cell: (d) => d.inbound }, { label: 'Out', numeric: true, cell: (d) => d.outbound }] })}
</section>
<section aria-labelledby="hours"><h2 id="hours">Volume by hour of day</h2>
${chart('hourly', 'Messages by hour of day (UTC)', `${hourTotal.inbound} in, ${hourTotal.outbound} out`)}
<details><summary>Table of messages by hour</summary>
${dataTable({ caption: 'Messages by hour of day', rows: [...report.hourly.map((h) => ({ ...h, hour: `${String(h.hour).padStart(2, '0')}:00` })), hourTotal], empty: '', columns: [
    { label: 'Hour (UTC)', cell: (h) => h.hour }, { label: 'In', numeric: true, cell: (h) => h.inbound }, { label: 'Out', numeric: true, cell: (h) => h.outbound }] })}
</details></section>`;
}

function deliverySection(report: AnalyticsReport): Html {
  const d = report.delivery;
  return html`<section aria-labelledby="delivery"><h2 id="delivery">Delivery</h2>
<dl class="facts"><dt>Sent (accepted by WhatsApp)</dt><dd>${d.sent}</dd><dt>Delivered or read</dt><dd>${d.delivered} (${percent(d.deliveryRate)} of sent)</dd>
<dt>Read</dt><dd>${d.read} (${percent(d.readRate)} of delivered)</dd><dt>Failed after sending</dt><dd>${d.failed}</dd></dl>
<h3>Failures by error code</h3>
${dataTable({ caption: 'Failures by error code', rows: report.failures, empty: 'No message failed in this range.', columns: [
    { label: 'Code', cell: (f) => f.code ?? 'none' }, { label: 'Title', cell: (f) => f.title ?? '' }, { label: 'Messages', numeric: true, cell: (f) => f.count }] })}
</section>`;
}

function durationTable(caption: string, groups: readonly DurationGroup[], measured: string): Html {
  return dataTable({ caption, rows: groups, empty: 'No conversations in this range.', columns: [
    { label: 'Group', cell: (g) => (g.by === 'all' ? html`<strong>All</strong>` : html`${g.by === 'team' ? 'Team' : 'Platform'}: ${groupLabel(g.by, g.key)}`) },
    { label: 'Conversations', numeric: true, cell: (g) => g.conversations },
    { label: measured, numeric: true, cell: (g) => g.measured },
    { label: 'Median', numeric: true, cell: (g) => duration(g.medianSeconds) },
    { label: '90th percentile', numeric: true, cell: (g) => duration(g.p90Seconds) },
  ] });
}

function timesSection(report: AnalyticsReport): Html {
  return html`<section aria-labelledby="first-response"><h2 id="first-response">First response time</h2>
<p class="muted">From the customer's first message to the first reply a person or agent wrote (automations and workflows do not count), for conversations whose first message is in the range.</p>
${durationTable('First response time', report.firstResponse, 'Answered')}
</section>
<section aria-labelledby="resolution"><h2 id="resolution">Resolution time</h2>
<p class="muted">From the customer's first message to the close, for conversations closed in the range; platform of the first reply.</p>
${durationTable('Resolution time', report.resolution, 'Resolved')}
</section>`;
}

function automationSection(report: AnalyticsReport): Html {
  const { faq, sla, csat } = report;
  return html`<section aria-labelledby="sla"><h2 id="sla">SLA breaches</h2>
${dataTable({ caption: 'SLA breaches by team', rows: sla.byTeam, empty: 'No response target was missed in this range.', columns: [
    { label: 'Team', cell: (t) => groupLabel('team', t.team) }, { label: 'Breaches', numeric: true, cell: (t) => t.breaches }] })}
</section>
<section aria-labelledby="faq"><h2 id="faq">FAQ deflections</h2>
<dl class="facts"><dt>FAQ answers sent</dt><dd>${faq.answers}</dd><dt>Customer then asked for a person</dt><dd>${faq.escalated}</dd>
<dt>Deflected</dt><dd>${faq.deflected} (${percent(faq.rate)})</dd></dl>
</section>
<section aria-labelledby="csat"><h2 id="csat">Customer satisfaction</h2>
<p>${csat.responses} answers, average ${csat.average ?? '–'} of 5.</p>
${dataTable({ caption: 'CSAT answers by score', rows: Object.entries(csat.distribution), empty: '', columns: [
    { label: 'Score', cell: ([score]) => score }, { label: 'Answers', numeric: true, cell: ([, count]) => count }] })}
</section>`;
}

function costTable(caption: string, dimension: 'category' | 'number' | 'team', groups: readonly CostGroup[], currency: string | null): Html {
  return dataTable({ caption, rows: groups, empty: 'No priced messages in this range.', columns: [
    { label: dimension === 'category' ? 'Category' : dimension === 'number' ? 'Number' : 'Team', cell: (g) => groupLabel(dimension, g.key, g.label) },
    { label: 'Priced messages', numeric: true, cell: (g) => g.messages }, { label: 'Billable', numeric: true, cell: (g) => g.billable },
    { label: 'Without a price', numeric: true, cell: (g) => g.unpriced }, { label: 'Cost', numeric: true, cell: (g) => money(g.cost, currency) },
  ] });
}

interface RateCardDraft {
  currency: string;
  rows: Array<{ market: string; prices: Partial<Record<PricingCategory, string>> }>;
  problems: string[];
}

const CATEGORY_LABELS: Record<PricingCategory, string> = { marketing: 'Marketing', utility: 'Utility', authentication: 'Authentication', service: 'Service' };

function rateCardForm(draft: RateCardDraft, csrf: Html, query: Record<string, string>): Html {
  const rows = [...draft.rows, ...Array.from({ length: BLANK_RATE_ROWS }, (): RateCardDraft['rows'][number] => ({ market: '', prices: {} }))];
  return html`<form method="post" action="${PATH}/rate-card?${new URLSearchParams(query).toString()}" aria-labelledby="rate-card">${csrf}
${formProblems(draft.problems)}
<p><label>Currency (ISO 4217) <input type="text" name="currency" value="${draft.currency}" required maxlength="3" size="4" autocomplete="off"></label></p>
<table><caption class="visually-hidden">Price per message by market and category</caption>
<thead><tr><th scope="col">Market (calling code or "default")</th>${PRICING_CATEGORIES.map((c) => html`<th scope="col" class="num">${CATEGORY_LABELS[c]}</th>`)}</tr></thead>
<tbody>${rows.map((row, i) => html`<tr>
<td><input type="text" name="market_${i}" value="${row.market}" aria-label="Market of row ${i + 1}" size="8" autocomplete="off"></td>
${PRICING_CATEGORIES.map((c) => html`<td class="num"><input type="text" inputmode="decimal" name="${c}_${i}" value="${row.prices[c] ?? ''}" aria-label="${CATEGORY_LABELS[c]} price, row ${i + 1}" size="9" autocomplete="off"></td>`)}
</tr>`)}</tbody></table>
<p class="muted">A message is priced by the longest calling code of its recipient on this card, else by the "default" row. An empty cell is no price. Clear a market to remove its row.</p>
<button type="submit">Save rate card</button>
</form>`;
}

function rateCardTable(card: RateCard): Html {
  return dataTable({ caption: 'Rate card', rows: card.rows, empty: 'No rate card yet: an admin can enter one.', columns: [
    { label: 'Market', cell: (r) => r.market }, ...PRICING_CATEGORIES.map((c) => ({ label: CATEGORY_LABELS[c], numeric: true, cell: (r: RateCard['rows'][number]) => r.prices[c] ?? '–' })),
  ] });
}

function costSection(report: AnalyticsReport, rateCard: Html): Html {
  const { cost } = report;
  const currency = report.rateCard.currency;
  return html`<section aria-labelledby="cost"><h2 id="cost">Cost</h2>
<p>${cost.total.messages} messages priced by WhatsApp, ${cost.total.billable} billable: <strong id="cost-total">${money(cost.total.cost, currency)}</strong>${currency ? '' : ' (no rate card yet)'}.</p>
${cost.total.unpriced > 0 && currency ? html`<p class="notice notice-error">${cost.total.unpriced} billable messages have no price on the rate card: add a "default" row or their market. Their cost is missing from the totals.</p>` : ''}
<h3>By category</h3>${costTable('Cost by category', 'category', cost.byCategory, currency)}
<h3>By number</h3>${costTable('Cost by number', 'number', cost.byNumber, currency)}
<h3>By team</h3>${costTable('Cost by team', 'team', cost.byTeam, currency)}
<h3 id="rate-card">Rate card</h3>
${rateCard}
</section>`;
}

function chartData(report: AnalyticsReport): Html {
  return jsonForScript({
    charts: [
      { id: 'daily', kind: 'days', x: report.daily.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000), series: [
        { label: 'In', values: report.daily.map((d) => d.inbound) }, { label: 'Out', values: report.daily.map((d) => d.outbound) }] },
      { id: 'hourly', kind: 'hours', x: report.hourly.map((h) => h.hour), series: [
        { label: 'In', values: report.hourly.map((h) => h.inbound) }, { label: 'Out', values: report.hourly.map((h) => h.outbound) }] },
    ],
  });
}

/** `/admin/analytics`: the channel's figures for a range, with charts, tables, a CSV export and the rate card. */
export function analyticsPage(deps: ConsoleDeps): Router {
  const router = Router();

  async function render(req: Request, res: Response, draft?: RateCardDraft): Promise<void> {
    const { session } = consoleLocals(res);
    const found = await readFilter(deps, session.workspaceId, req);
    const teams = await routedTeams(deps.db, session.workspaceId);
    if (!found.ok) {
      const numbers = await listNumbers(deps.db, session.workspaceId);
      sendConsolePage(res, { title: 'Analytics', section: 'analytics', status: found.status, body: html`${formProblems(found.problems)}
${filterForm(stringFields(req.query), numbers, teams)}` });
      return;
    }
    const report = await analyticsReport(deps.db, session.workspaceId, found.filter);
    const rateCard = session.role === 'admin'
      ? rateCardForm(draft ?? { currency: report.rateCard.currency ?? '', rows: report.rateCard.rows, problems: [] }, csrfField(session), found.query)
      : html`<p class="muted">Only admins can change the rate card.</p>${rateCardTable(report.rateCard)}`;
    sendConsolePage(res, {
      title: 'Analytics',
      section: 'analytics',
      status: draft ? 400 : 200,
      scripts: ['vendor/uPlot.iife.min.js', 'analytics.js'],
      styles: ['vendor/uPlot.min.css'],
      body: html`${filterForm(found.query, found.numbers, teams)}
${cards(report)}
${messagesSection(report)}
${deliverySection(report)}
${timesSection(report)}
${automationSection(report)}
${costSection(report, rateCard)}
<script type="application/json" id="analytics-data">${chartData(report)}</script>`,
    });
  }

  router.get(PATH, async (req, res) => render(req, res));

  router.get(`${PATH}.csv`, async (req, res) => {
    const { session } = consoleLocals(res);
    const found = await readFilter(deps, session.workspaceId, req);
    if (!found.ok) {
      res.status(found.status).type('text/plain').send(found.problems.join('\n'));
      return;
    }
    const report = await analyticsReport(deps.db, session.workspaceId, found.filter);
    const number = found.numbers.find((n) => n.id === found.filter.numberId);
    const days = filterDays(found.filter);
    res.set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="threadline-analytics-${days.from}-to-${days.to}.csv"`,
      'Cache-Control': 'no-store',
    });
    // The byte order mark tells spreadsheet programs the file is UTF-8.
    res.send(`\uFEFF${reportCsv(report, number ? numberName(number) : null)}`);
  });

  router.post(`${PATH}/rate-card`, async (req, res) => {
    const { session } = consoleLocals(res);
    const draft = rateCardDraft(req.body as Record<string, unknown>);
    const parsed = rateCardInput.safeParse({ currency: draft.currency, rows: draft.rows });
    if (!parsed.success) {
      draft.problems = parsed.error.issues.map((i) => {
        const [field, index, ...rest] = i.path;
        if (field === 'rows' && typeof index === 'number') return `Row ${draft.lines[index] ?? index + 1}${rest.length ? ` ${rest.join(' ').replace('prices ', '')}` : ''}: ${i.message}`;
        return `${String(field ?? 'form')}: ${i.message}`;
      });
      await render(req, res, draft);
      return;
    }
    await saveRateCard(deps.db, session.workspaceId, session.actor, parsed.data);
    const back = new URLSearchParams(stringFields(req.query)).toString();
    await redirectWithNotice(deps.db, res, `${PATH}${back ? `?${back}` : ''}#rate-card`, { kind: 'success', text: 'Rate card saved; the costs below use it.' });
  });

  return router;
}

/** The rate card form's rows (market_N, marketing_N …) as entered, blank rows dropped; `lines` are their row numbers on the form. */
function rateCardDraft(body: Record<string, unknown>): RateCardDraft & { lines: number[] } {
  const text = (name: string) => (typeof body[name] === 'string' ? body[name].trim() : '');
  const indexes = Object.keys(body).map((k) => /^market_(\d{1,3})$/.exec(k)?.[1]).filter((i): i is string => i !== undefined).map(Number).sort((a, b) => a - b);
  const rows: RateCardDraft['rows'] = [];
  const lines: number[] = [];
  for (const i of indexes) {
    const prices = Object.fromEntries(PRICING_CATEGORIES.map((c) => [c, text(`${c}_${i}`)]).filter(([, v]) => v !== '')) as Partial<Record<PricingCategory, string>>;
    const market = text(`market_${i}`);
    if (market === '' && Object.keys(prices).length === 0) continue;
    rows.push({ market, prices });
    lines.push(i + 1);
  }
  return { currency: text('currency'), rows, lines, problems: [] };
}
