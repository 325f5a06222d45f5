/**
 * A token bucket per WhatsApp number (Meta's throughput, §8: 80 messages/s by default,
 * configurable per number in `whatsapp_number.throughput_mps`). In-process: each worker process
 * has its own buckets, so N processes can together reach N × the rate. Good enough while one
 * worker process sends; a shared limiter (PostgreSQL or Redis) is the next step when scaling out,
 * and Meta's 130429 is retried with backoff either way.
 */
export class ThroughputLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Resolves when a message may go out on this number. Burst capacity is one second's worth. */
  async take(numberId: string, perSecond: number): Promise<void> {
    const rate = Math.max(1, perSecond);
    for (;;) {
      const wait = this.tryTake(numberId, rate);
      if (wait === 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** 0 when a token was taken, else milliseconds until the next one. */
  tryTake(numberId: string, perSecond: number): number {
    const now = this.now();
    const bucket = this.buckets.get(numberId) ?? { tokens: perSecond, refilledAt: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.refilledAt) / 1000) * perSecond);
    bucket.refilledAt = now;
    this.buckets.set(numberId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }
}
