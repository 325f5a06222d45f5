/** When a failed delivery is tried again. Defaults span about 8 hours: a platform can be down that long. */
export interface RetrySchedule {
  /** Delay after the first failure; doubled (by `factor`) after each further one. */
  baseMs: number;
  factor: number;
  maxMs: number;
  /** Attempts before the event is a dead letter. */
  maxAttempts: number;
  /** 0..1: the share of each delay taken off at random, so installations that failed together do not retry together. */
  jitter: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 30_000, factor: 2, maxMs: 2 * 3_600_000, maxAttempts: 12, jitter: 0.2 };

export function retryDelayMs(schedule: RetrySchedule, attempts: number, random: () => number = Math.random): number {
  const full = Math.min(schedule.baseMs * schedule.factor ** Math.max(0, attempts - 1), schedule.maxMs);
  return Math.round(full * (1 - schedule.jitter * random()));
}
