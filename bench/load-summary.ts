import type { CpuShare } from './cpu-meter';
import type { LoadRun, PostResult } from './load-generator';

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadSummary {
  phase: string;
  target: 'threadline' | 'baseline';
  mode: 'closed' | 'open';
  seconds: number;
  posts: number;
  /** Events in all POSTs, redeliveries included. */
  eventsSent: number;
  /** Distinct events offered for the first time. */
  newEvents: number;
  /** Distinct events per second the schedule offered (open loop) or that went out (closed loop). */
  offeredPerSecond: number;
  acknowledgedPosts: number;
  /** Events in POSTs answered 200 (only 200s count), redeliveries included. */
  acknowledgedEvents: number;
  acknowledgedPerSecond: number;
  /** From Threadline's answers: events newly stored, and repeats it recognised. */
  reportedStored: number;
  reportedDuplicates: number;
  failures: Record<string, number>;
  /** Acknowledgement latency in ms: from the scheduled send time (open loop) or the send (closed). */
  latency: Percentiles;
  /** How late the load generator sent against its schedule (open loop), ms. */
  sendLag: Percentiles;
  exhausted: boolean;
  cpu: CpuShare | null;
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? 0) };
}

/** Threadline answers `{"received":n,"stored":n,"duplicates":n}`; the baseline `{"ok":true}`. */
export function parseAnswer(text: string): { stored: number; duplicates: number } | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || !('stored' in value) || !('duplicates' in value)) return null;
  const { stored, duplicates } = value;
  return typeof stored === 'number' && typeof duplicates === 'number' ? { stored, duplicates } : null;
}

export function summarize(phase: string, target: 'threadline' | 'baseline', run: LoadRun, cpu: CpuShare | null, scheduledSeconds?: number): LoadSummary {
  const seconds = (run.endedAt - run.startedAt) / 1000;
  const ok = run.results.filter((r) => r.status === 200);
  const failures: Record<string, number> = {};
  for (const r of run.results) {
    if (r.status === 200) continue;
    const key = r.status === 0 ? `network: ${r.responseText.slice(0, 60)}` : `HTTP ${r.status}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  let reportedStored = 0;
  let reportedDuplicates = 0;
  for (const r of ok) {
    const answer = parseAnswer(r.responseText);
    if (answer) {
      reportedStored += answer.stored;
      reportedDuplicates += answer.duplicates;
    }
  }
  const events = (rs: PostResult[]) => rs.reduce((n, r) => n + r.post.events.length, 0);
  const newEvents = run.results.reduce((n, r) => n + r.post.newEvents, 0);
  const acknowledgedEvents = events(ok);
  return {
    phase,
    target,
    mode: run.mode,
    seconds: round(seconds, 2),
    posts: run.results.length,
    eventsSent: events(run.results),
    newEvents,
    offeredPerSecond: round(newEvents / (scheduledSeconds ?? seconds), 1),
    acknowledgedPosts: ok.length,
    acknowledgedEvents,
    acknowledgedPerSecond: round(acknowledgedEvents / seconds, 1),
    reportedStored,
    reportedDuplicates,
    failures,
    latency: percentiles(run.results.map((r) => r.doneAt - r.scheduledAt)),
    sendLag: percentiles(run.results.map((r) => r.sentAt - r.scheduledAt)),
    exhausted: run.exhausted,
    cpu,
  };
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
