import type { GraphApiError } from '../whatsapp/graph-error';

/** After this many attempts a retryable error fails the message (about an hour of backing off). */
export const MAX_SEND_ATTEMPTS = 12;
const CAP_MS = 10 * 60_000;

/** 131056 pair rate limit: Meta says retry after 4^X seconds (§8). */
const PAIR_RATE_LIMIT = 131056;
/** 131057 maintenance (throughput upgrade) lasts up to about a minute. */
const MAINTENANCE = 131057;

/**
 * How long to wait before attempt `attempt + 1` (attempt counts from 1). Pair rate: 4^(attempt-1) s;
 * maintenance: at least 15 s; the rest (130429, 5xx, network): 2^(attempt-1) s. All capped at
 * 10 minutes, with up to 20% jitter so a burst of refused sends does not come back at once.
 */
export function retryDelayMs(error: Pick<GraphApiError, 'code'>, attempt: number, random: () => number = Math.random): number {
  const x = Math.max(0, attempt - 1);
  let base: number;
  if (error.code === PAIR_RATE_LIMIT) base = 1000 * 4 ** x;
  else if (error.code === MAINTENANCE) base = Math.max(15_000, 1000 * 2 ** x);
  else base = 1000 * 2 ** x;
  const capped = Math.min(CAP_MS, base);
  return Math.round(capped * (1 + 0.2 * random()));
}
