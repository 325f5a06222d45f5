import { performance } from 'node:perf_hooks';
import type { InboxProbe } from './bench-database';
import { round } from './load-summary';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DrainResult {
  startBacklog: number;
  seconds: number;
  drained: boolean;
  /** Events processed per second while draining (the worker's capacity with no webhook load). */
  perSecond: number;
}

/** Waits until no inbox event is pending, sampling the (cheap) pending count. */
export async function waitForDrain(probe: InboxProbe, timeoutSeconds: number, intervalMs = 250): Promise<DrainResult> {
  const started = performance.now();
  const startBacklog = await probe.pending();
  let pending = startBacklog;
  while (pending > 0 && performance.now() - started < timeoutSeconds * 1000) {
    await sleep(intervalMs);
    pending = await probe.pending();
  }
  const seconds = (performance.now() - started) / 1000;
  const done = startBacklog - pending;
  return { startBacklog, seconds: round(seconds, 2), drained: pending === 0, perSecond: seconds > 0 ? round(done / seconds, 1) : 0 };
}

export interface ProcessingSample {
  /** performance.now() when the sample was taken (midpoint of its queries). */
  at: number;
  pending: number;
  processed: number;
}

/**
 * Samples, every second, how many events of the current phase are processed
 * (`count(*) … where state = 'processed'`, limited to the phase's ids so the query stays cheap)
 * and the backlog, until stopped.
 */
export class ProcessingSampler {
  readonly samples: ProcessingSample[] = [];
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly probe: InboxProbe, private readonly sinceId: number, private readonly onSample?: (s: ProcessingSample) => void) {}

  start(intervalMs = 1_000): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  async sample(): Promise<ProcessingSample | null> {
    if (this.busy) return null;
    this.busy = true;
    try {
      const before = performance.now();
      const pending = await this.probe.pending();
      const processed = await this.probe.processedSince(this.sinceId);
      const s = { at: (before + performance.now()) / 2, pending, processed };
      this.samples.push(s);
      this.onSample?.(s);
      return s;
    } finally {
      this.busy = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Linear interpolation of a sampled series at time `at`. */
  valueAt(at: number, field: 'pending' | 'processed'): number {
    const s = this.samples;
    if (s.length === 0) return 0;
    const first = s[0];
    const last = s[s.length - 1];
    if (!first || !last) return 0;
    if (at <= first.at) return first[field];
    if (at >= last.at) return last[field];
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1];
      const b = s[i];
      if (a && b && at <= b.at) return a[field] + ((b[field] - a[field]) * (at - a.at)) / (b.at - a.at || 1);
    }
    return last[field];
  }
}
