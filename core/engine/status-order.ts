/**
 * Delivery statuses only move forward: sent < delivered < read < played (a voice message is
 * played after it is read). `failed` is terminal and beats every other status, so the outcome
 * does not depend on the order webhooks arrive in. Anything else (`deleted`, `warning`, future
 * values) is history only.
 */
const RANK: Readonly<Record<string, number>> = { sent: 1, delivered: 2, read: 3, played: 4, failed: 100 };

export function isDeliveryStatus(status: string): boolean {
  return RANK[status] !== undefined;
}

/** Whether a message at `current` should move to `incoming`. */
export function supersedes(current: string, incoming: string): boolean {
  const next = RANK[incoming];
  return next !== undefined && current !== 'failed' && next > (RANK[current] ?? 0);
}

/** The same rank in SQL, for a status column. */
export function rankSql(column: string): string {
  return `case ${column} ${Object.entries(RANK).map(([status, rank]) => `when '${status}' then ${rank}`).join(' ')} else 0 end`;
}

export function rankOf(status: string): number {
  return RANK[status] ?? 0;
}
