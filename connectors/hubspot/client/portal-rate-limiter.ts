/**
 * HubSpot's budgets per installing account (reference §7.5): 110 requests per rolling 10 s for a public
 * OAuth app, and CRM search apart at 5 per second. One limiter per process, keyed by portal, shared by
 * every caller (sync deliveries, card and workflow requests), so together they stay under the budget.
 * The SDK's own limiter is a process-global singleton that every `new Client()` replaces (§8.3): not used.
 */
export type CallKind = 'api' | 'search';

export interface Budget {
  max: number;
  windowMs: number;
}

export const hubspotBudgets: Record<CallKind, Budget> = {
  api: { max: 110, windowMs: 10_000 },
  search: { max: 5, windowMs: 1_000 },
};

/** After a 429 that our own count does not explain (another process, another app): 0.5 s, doubling, up to the window. */
const firstBackoffMs = 500;
/** A DAILY 429 is never retried in a loop (§7.5); OAuth apps have no daily limit, so this is a misconfiguration. */
const dailyBackoffMs = 3_600_000;

interface Window {
  sent: number[];
  blockedUntil: number;
  throttledInARow: number;
}

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';

export class PortalRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly budgets: Record<CallKind, Budget> = hubspotBudgets,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot (`reservedAt`), or answers how long until one frees up, taking nothing. */
  reserve(portalId: number, kind: CallKind): { reservedAt: number } | { waitMs: number } {
    const window = this.window(portalId, kind);
    const now = this.now();
    const { max, windowMs } = this.budgets[kind];
    while (window.sent.length > 0 && (window.sent[0] ?? 0) <= now - windowMs) window.sent.shift();
    if (window.blockedUntil > now) return { waitMs: window.blockedUntil - now };
    if (window.sent.length >= max) return { waitMs: (window.sent[0] ?? now) + windowMs - now };
    window.sent.push(now);
    return { reservedAt: now };
  }

  /**
   * The answer arrived: the slot counts from now, as HubSpot counted the request somewhere between sending and
   * answering, so our window never ends before HubSpot's however slow the request was.
   */
  answered(portalId: number, kind: CallKind, reservedAt: number, ok: boolean): void {
    const window = this.window(portalId, kind);
    const index = window.sent.indexOf(reservedAt);
    if (index >= 0) {
      window.sent.splice(index, 1);
      window.sent.push(this.now());
    }
    if (ok) window.throttledInARow = 0;
  }

  /**
   * HubSpot answered 429: nothing of this kind goes to the portal until the returned wait is over. HubSpot
   * sends no Retry-After (§7.5): when our own count fills the window the wait is until its oldest request
   * leaves it, otherwise a doubling backoff bounded by the window (`intervalMs`, from the rate headers).
   */
  throttled(portalId: number, kind: CallKind, policy: RateLimitPolicy | undefined, intervalMs?: number): number {
    const window = this.window(portalId, kind);
    const now = this.now();
    const windowMs = intervalMs ?? this.budgets[kind].windowMs;
    window.throttledInARow += 1;
    let waitMs: number;
    if (policy === 'DAILY') waitMs = dailyBackoffMs;
    else {
      const ownFull = window.sent.length >= this.budgets[kind].max ? (window.sent[0] ?? now) + windowMs - now : 0;
      const backoff = Math.min(firstBackoffMs * 2 ** (window.throttledInARow - 1), windowMs);
      waitMs = Math.max(ownFull, backoff);
    }
    window.blockedUntil = Math.max(window.blockedUntil, now + waitMs);
    return window.blockedUntil - now;
  }

  private window(portalId: number, kind: CallKind): Window {
    const key = `${portalId}:${kind}`;
    let window = this.windows.get(key);
    if (!window) {
      window = { sent: [], blockedUntil: 0, throttledInARow: 0 };
      this.windows.set(key, window);
    }
    return window;
  }
}

/** The process's limiter: one per process, as HubSpot's budget is one per portal. */
export const portalRateLimiter = new PortalRateLimiter();
