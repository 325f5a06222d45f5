import type { DeliveryLimits } from '../connectors';

/**
 * At most `requests` requests in any sliding `windowMs`, from the times of the last requests
 * (kept in the database between jobs). `marginMs` covers the time a request takes to reach the
 * platform, whose clock starts its window on arrival.
 */
export class SlidingWindowLimiter {
  private times: number[];

  constructor(private readonly limits: Pick<DeliveryLimits, 'requests' | 'windowMs'>, recent: readonly number[], private readonly marginMs = 50) {
    this.times = [...recent].sort((a, b) => a - b);
  }

  /** How long to wait before the next request may go. */
  waitMs(now: number): number {
    this.prune(now);
    if (this.times.length < this.limits.requests) return 0;
    const oldest = this.times[this.times.length - this.limits.requests] ?? now;
    return Math.max(0, oldest + this.limits.windowMs + this.marginMs - now);
  }

  record(at: number): void {
    this.times.push(at);
  }

  /** The request times still inside the window, to persist. */
  recent(now: number): number[] {
    this.prune(now);
    return [...this.times];
  }

  private prune(now: number): void {
    const since = now - this.limits.windowMs - this.marginMs;
    while (this.times.length > 0 && (this.times[0] ?? 0) <= since) this.times.shift();
  }
}
