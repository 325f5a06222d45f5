import { filterDays } from './analytics-filter';
import type { AnalyticsReport } from './analytics-report';
import { groupLabel } from './figure-labels';
import type { CostGroup } from './message-cost';
import type { DurationGroup } from './response-times';

type Cell = string | number | null;
type Row = [figure: string, dimension: string, key: Cell, metric: string, value: Cell];

/**
 * A cell as a spreadsheet should read it: quoted when it holds a comma, quote or line break, and text a spreadsheet
 * would run as a formula (=, +, -, @, or a tab or carriage return before one) made inert with a leading apostrophe.
 * Numbers we computed are written as they are.
 */
export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

function durations(figure: string, groups: readonly DurationGroup[]): Row[] {
  return groups.flatMap((g) => {
    const key = g.by === 'all' ? null : groupLabel(g.by, g.key);
    return [
      [figure, g.by, key, 'conversations', g.conversations],
      [figure, g.by, key, 'measured', g.measured],
      [figure, g.by, key, 'median_seconds', g.medianSeconds],
      [figure, g.by, key, 'p90_seconds', g.p90Seconds],
    ] satisfies Row[];
  });
}

function costs(dimension: 'all' | 'category' | 'number' | 'team', groups: readonly CostGroup[], currency: string | null): Row[] {
  return groups.flatMap((g) => {
    const key = dimension === 'all' ? null : groupLabel(dimension, g.key, g.label);
    return [
      ['cost', dimension, key, 'messages', g.messages],
      ['cost', dimension, key, 'billable', g.billable],
      ['cost', dimension, key, 'unpriced', g.unpriced],
      ['cost', dimension, key, currency ? `cost_${currency}` : 'cost_no_rate_card', currency ? Number(g.cost) : null],
    ] satisfies Row[];
  });
}

/**
 * The report as one tidy table (figure, dimension, key, metric, value): one row per day per metric, per hour, per
 * error code …, which a spreadsheet filters and pivots without reshaping.
 */
export function reportCsv(report: AnalyticsReport, numberLabel: string | null): string {
  const days = filterDays(report.filter);
  const currency = report.rateCard.currency;
  const rows: Row[] = [
    ['range', '', null, 'from', days.from],
    ['range', '', null, 'to_inclusive', days.to],
    ['range', '', null, 'number', numberLabel ?? 'all'],
    ['range', '', null, 'team', report.filter.team ?? 'all'],
    ...report.daily.flatMap((d): Row[] => [['messages_per_day', 'day', d.day, 'inbound', d.inbound], ['messages_per_day', 'day', d.day, 'outbound', d.outbound]]),
    ...report.hourly.flatMap((h): Row[] => [['volume_by_hour', 'hour_utc', h.hour, 'inbound', h.inbound], ['volume_by_hour', 'hour_utc', h.hour, 'outbound', h.outbound]]),
    ['delivery', '', null, 'sent', report.delivery.sent],
    ['delivery', '', null, 'delivered', report.delivery.delivered],
    ['delivery', '', null, 'read', report.delivery.read],
    ['delivery', '', null, 'failed', report.delivery.failed],
    ['delivery', '', null, 'delivery_rate', report.delivery.deliveryRate],
    ['delivery', '', null, 'read_rate', report.delivery.readRate],
    ...report.failures.flatMap((f): Row[] => [['failures', 'error_code', f.code, 'count', f.count], ['failures', 'error_code', f.code, 'title', f.title]]),
    ...durations('first_response', report.firstResponse),
    ...durations('resolution', report.resolution),
    ['sla_breaches', 'all', null, 'breaches', report.sla.total],
    ...report.sla.byTeam.map((t): Row => ['sla_breaches', 'team', groupLabel('team', t.team), 'breaches', t.breaches]),
    ['faq', '', null, 'answers', report.faq.answers],
    ['faq', '', null, 'escalated', report.faq.escalated],
    ['faq', '', null, 'deflected', report.faq.deflected],
    ['faq', '', null, 'deflection_rate', report.faq.rate],
    ['csat', 'all', null, 'responses', report.csat.responses],
    ['csat', 'all', null, 'average', report.csat.average],
    ...Object.entries(report.csat.distribution).map(([score, count]): Row => ['csat', 'score', Number(score), 'responses', count]),
    ...costs('all', [report.cost.total], currency),
    ...costs('category', report.cost.byCategory, currency),
    ...costs('number', report.cost.byNumber, currency),
    ...costs('team', report.cost.byTeam, currency),
  ];
  const header = ['figure', 'dimension', 'key', 'metric', 'value'];
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
