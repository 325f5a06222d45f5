import type { Accounting } from './accounting';
import type { DrainResult } from './inbox-watch';
import type { LoadSummary } from './load-summary';
import type { CpuShare } from './cpu-meter';

export interface ProcessingFigures {
  offeredPerSecond: number;
  windowSeconds: number;
  /** Events of the phase processed by the end of the window / window length. */
  windowPerSecond: number;
  /** Slope of processed events after the first seconds: what the worker sustains. */
  steadyPerSecond: number;
  steadyFromSecond: number;
  backlogAtEnd: number;
  maxBacklog: number;
  /** From the end of the window until the backlog was 0 (null: not within the timeout). */
  drainSeconds: number | null;
  /** received_at → processed_at of the phase's events, ms (processed_at is its drain transaction's start). */
  latencyMs: { p50: number; p99: number; max: number; count: number };
  load: LoadSummary;
  cpu: CpuShare | null;
}

export interface BenchResult {
  quick: boolean;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; os: string; postgres: string; postgresSettings: Record<string, string> };
  database: string;
  environment: { quiet: boolean; idleMachinePercent: number; busiestBefore: { pid: number; name: string; corePercent: number }[]; foreignBackends: string[] };
  options: Record<string, unknown>;
  warmup: LoadSummary[];
  max: { threadline: LoadSummary; baseline: LoadSummary; ratio: number; drainAfter: DrainResult };
  latency: { load: LoadSummary; drainAfter: DrainResult };
  processing: ProcessingFigures;
  accounting: Accounting;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}

export const REQUIRED = {
  acknowledgedPerSecond: 3_000,
  p99Ms: 50,
  latencyOfferedPerSecond: 1_000,
  baselineRatio: 0.5,
  processedPerSecond: 1_000,
  processingSeconds: 60,
  /** The steady processing slope is sampled once a second; 2% covers sampling jitter, not a lag. */
  processingTolerance: 0.02,
} as const;

export function checkTargets(r: BenchResult): TargetCheck[] {
  const a = r.accounting;
  const p = r.processing;
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const keepsUp = p.steadyPerSecond >= REQUIRED.processedPerSecond * (1 - REQUIRED.processingTolerance)
    && p.offeredPerSecond >= REQUIRED.processedPerSecond
    && p.backlogAtEnd <= p.offeredPerSecond * 2
    && p.drainSeconds !== null
    && p.windowSeconds >= REQUIRED.processingSeconds;
  return [
    {
      name: 'acknowledged and durably stored',
      target: `>= ${fmt(REQUIRED.acknowledgedPerSecond)} events/s, 0 lost`,
      measured: `${fmt(r.max.threadline.acknowledgedPerSecond)} events/s, ${a.lost} lost`,
      pass: r.max.threadline.acknowledgedPerSecond >= REQUIRED.acknowledgedPerSecond && a.lost === 0,
    },
    {
      name: 'p99 acknowledgement at 1,000 events/s',
      target: `< ${REQUIRED.p99Ms} ms`,
      measured: `${fmt(r.latency.load.latency.p99)} ms at ${fmt(r.latency.load.offeredPerSecond)} events/s offered`,
      pass: r.latency.load.latency.p99 < REQUIRED.p99Ms && r.latency.load.offeredPerSecond >= REQUIRED.latencyOfferedPerSecond * 0.99,
    },
    { name: 'lost (counted in the database)', target: '0', measured: String(a.lost), pass: a.lost === 0 },
    { name: 'duplicated (counted in the database)', target: '0', measured: String(a.duplicated), pass: a.duplicated === 0 },
    {
      name: 'ratio to the baseline (acknowledged events/s)',
      target: `>= ${REQUIRED.baselineRatio}`,
      measured: `${r.max.ratio.toFixed(3)} (${fmt(r.max.threadline.acknowledgedPerSecond)} / ${fmt(r.max.baseline.acknowledgedPerSecond)})`,
      pass: r.max.ratio >= REQUIRED.baselineRatio,
    },
    {
      name: 'processing keeps up',
      target: `>= ${fmt(REQUIRED.processedPerSecond)} events/s fully processed for ${REQUIRED.processingSeconds} s (backlog bounded)`,
      measured: `${fmt(p.steadyPerSecond)} events/s sustained over ${fmt(p.windowSeconds)} s, backlog at end ${fmt(p.backlogAtEnd)}, drained ${p.drainSeconds === null ? 'not within timeout' : `${fmt(p.drainSeconds)} s after`}`,
      pass: keepsUp,
    },
    {
      name: 'every acknowledged event processed, none dead',
      target: 'all messages and statuses stored; 0 dead, pending, unrouted',
      measured: `${a.processing.inboundMissing} messages + ${a.processing.statusesMissing} statuses missing, ${a.inbox.dead ?? 0} dead, ${a.inbox.pending ?? 0} pending, ${a.inbox.unrouted ?? 0} unrouted`,
      pass: a.processing.inboundMissing === 0 && a.processing.statusesMissing === 0 && (a.inbox.dead ?? 0) === 0 && (a.inbox.pending ?? 0) === 0 && (a.inbox.unrouted ?? 0) === 0,
    },
  ];
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const n1 = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function cpuText(cpu: CpuShare | null): string {
  if (!cpu) return '';
  const c = cpu.corePercent;
  return `machine ${cpu.machinePercent}% of all cores; per process (% of one core): threadline ${c.threadline ?? 0}, postgres ${c.postgres ?? 0}, load generator ${c.loadgen ?? 0}, baseline ${c.baseline ?? 0}, other ${c.other ?? 0}`;
}

export function formatLoad(s: LoadSummary): string {
  const failures = Object.entries(s.failures).map(([k, v]) => `${k} ×${v}`).join(', ');
  return [
    `  ${s.phase} → ${s.target} (${s.mode} loop, ${n1(s.seconds)} s${s.exhausted ? ', pre-built POSTs ran out' : ''})`,
    `    offered ${n1(s.offeredPerSecond)} new events/s; ${n0(s.posts)} POSTs, ${n0(s.eventsSent)} events; acknowledged ${n0(s.acknowledgedEvents)} events = ${n1(s.acknowledgedPerSecond)} events/s`,
    `    ack latency ms p50 ${s.latency.p50}, p90 ${s.latency.p90}, p99 ${s.latency.p99}, max ${s.latency.max}${s.mode === 'open' ? `; send lag p99 ${s.sendLag.p99} ms` : ''}`,
    ...(s.target === 'threadline' ? [`    answers: stored ${n0(s.reportedStored)}, duplicates ${n0(s.reportedDuplicates)}`] : []),
    ...(failures ? [`    non-200: ${failures}`] : []),
    ...(s.cpu ? [`    cpu: ${cpuText(s.cpu)}${(s.cpu.corePercent.other ?? 0) > 25 ? '  ← other work on the machine skews this phase' : ''}`] : []),
  ].join('\n');
}

export function formatReport(r: BenchResult, checks: TargetCheck[]): string {
  const a = r.accounting;
  const p = r.processing;
  const out: string[] = [];
  out.push('', '═══ Threadline ingest benchmark ═══');
  out.push(`machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, node ${r.machine.node}, ${r.machine.os}`);
  out.push(`postgres: ${r.machine.postgres}`);
  out.push(`  ${Object.entries(r.machine.postgresSettings).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (r.quick) out.push('QUICK RUN: phases shortened; the figures are indicative only.');
  if (!r.environment.quiet) {
    out.push(`NOT QUIET: ${r.environment.idleMachinePercent}% busy before the run${r.environment.foreignBackends.length ? `, other databases active: ${r.environment.foreignBackends.join(', ')}` : ''}; figures are skewed.`);
  }
  out.push('');
  out.push(table(
    ['figure', 'value'],
    [
      ['max throughput: offered (closed loop, new events/s)', n1(r.max.threadline.offeredPerSecond)],
      ['max throughput: acknowledged events/s (Threadline)', n1(r.max.threadline.acknowledgedPerSecond)],
      ['max throughput: acknowledged events/s (baseline)', n1(r.max.baseline.acknowledgedPerSecond)],
      ['ratio to baseline', r.max.ratio.toFixed(3)],
      ['max throughput: p50 / p99 ack ms (Threadline)', `${r.max.threadline.latency.p50} / ${r.max.threadline.latency.p99}`],
      ['latency phase: offered events/s', n1(r.latency.load.offeredPerSecond)],
      ['latency phase: acknowledged events/s', n1(r.latency.load.acknowledgedPerSecond)],
      ['latency phase: p50 / p99 / max ack ms', `${r.latency.load.latency.p50} / ${r.latency.load.latency.p99} / ${r.latency.load.latency.max}`],
      ['processing: offered events/s', n1(p.offeredPerSecond)],
      [`processing: fully processed events/s, sustained (s ${p.steadyFromSecond}–${p.windowSeconds})`, n1(p.steadyPerSecond)],
      [`processing: processed events/s over the ${p.windowSeconds} s window`, n1(p.windowPerSecond)],
      ['processing: backlog at end of window / max during', `${n0(p.backlogAtEnd)} / ${n0(p.maxBacklog)}`],
      ['processing: backlog 0 after window end (s)', p.drainSeconds === null ? 'timeout' : n1(p.drainSeconds)],
      ['processing: stored→processed ms p50 / p99', `${n0(p.latencyMs.p50)} / ${n0(p.latencyMs.p99)}`],
      ['worker drain rate after max phase (events/s, no ingest)', `${n1(r.max.drainAfter.perSecond)} (${n0(r.max.drainAfter.startBacklog)} in ${n1(r.max.drainAfter.seconds)} s)`],
      ['events acknowledged (distinct)', n0(a.eventsAcknowledged)],
      ['lost (in DB)', n0(a.lost)],
      ['duplicated (in DB)', `${n0(a.duplicated)} (inbox ${a.duplicates.inboxRows}, message ${a.duplicates.messageRows}, status ${a.duplicates.statusRows}, re-stored ${a.duplicates.storedAgainOnRedelivery})`],
      ['redeliveries sent / acknowledged', `${n0(a.redeliveriesSent)} / ${n0(a.redeliveriesAcknowledged)}`],
      ['inbound messages acknowledged / message rows', `${n0(a.processing.inboundAcknowledged)} / ${n0(a.processing.inboundMessageRows)}`],
      ['statuses acknowledged / message_status rows', `${n0(a.processing.statusesAcknowledged)} / ${n0(a.processing.statusRows)}`],
      ['graphile jobs inserted / updated (events per job)', `${n0(a.jobs.inserted)} / ${n0(a.jobs.updated)} (${a.jobs.eventsPerDrainJob})`],
      ['inbox states', Object.entries(a.inbox).map(([k, v]) => `${k} ${n0(v)}`).join(', ')],
    ],
  ));
  out.push('');
  out.push(table(['target', 'required', 'measured', 'result'], checks.map((c) => [c.name, c.target, c.measured, c.pass ? 'PASS' : 'FAIL'])));
  out.push('');
  return out.join('\n');
}
