import { externalIdFor } from '../../core/sync/external-id';
import { SlidingWindowLimiter } from '../../core/sync/rate-limiter';
import { DEFAULT_RETRY_SCHEDULE, retryDelayMs } from '../../core/sync/retry-schedule';

describe('sync building blocks', () => {
  it('the limiter allows K requests in any window and says how long to wait for the next', () => {
    const limiter = new SlidingWindowLimiter({ requests: 2, windowMs: 1_000 }, [], 0);
    expect(limiter.waitMs(0)).toBe(0);
    limiter.record(0);
    limiter.record(100);
    expect(limiter.waitMs(200)).toBe(800);
    expect(limiter.waitMs(1_000)).toBe(0);
    expect(limiter.recent(1_050)).toEqual([100]);
    // Restored from what a previous job saved.
    expect(new SlidingWindowLimiter({ requests: 1, windowMs: 1_000 }, [500], 50).waitMs(600)).toBe(950);
  });

  it('backoff doubles up to its cap, with jitter taking off at most its share', () => {
    const s = { baseMs: 1_000, factor: 2, maxMs: 5_000, maxAttempts: 5, jitter: 0.5 };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(s, n, () => 0))).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(retryDelayMs(s, 2, () => 1)).toBe(1_000);
    const total = Array.from({ length: DEFAULT_RETRY_SCHEDULE.maxAttempts - 1 }, (_, i) => retryDelayMs(DEFAULT_RETRY_SCHEDULE, i + 1, () => 0)).reduce((a, b) => a + b, 0);
    expect(total / 3_600_000).toBeGreaterThan(6); // a platform may be down for hours
  });

  it('external ids come from the wamid, so every copy and retry of a message is one record', () => {
    expect(externalIdFor({ type: 'message.inbound', eventId: 'e1', data: { wamid: 'wamid.X' } })).toBe('wa:wamid.X');
    expect(externalIdFor({ type: 'message.status', eventId: 'e2', data: { wamid: 'wamid.X', status: 'read' } })).toBe('wa:wamid.X:read');
    expect(externalIdFor({ type: 'conversation.closed', eventId: 'e3', data: {} })).toBe('tl:e3');
  });
});
