import crypto from 'node:crypto';

/**
 * Short-lived download URLs on the fake's own host, like Meta's lookaside URLs: the expiry is part of the
 * URL and covered by an HMAC, so a test cannot extend a URL by editing it.
 */
export class MediaUrls {
  private readonly key = crypto.randomBytes(32);

  constructor(
    private readonly baseUrl: () => string,
    private readonly now: () => number,
    readonly ttlMs: number,
  ) {}

  issue(mediaId: string): string {
    const expires = String(Math.floor((this.now() + this.ttlMs) / 1000));
    const url = new URL(`${this.baseUrl()}/media-download/${encodeURIComponent(mediaId)}`);
    url.searchParams.set('expires', expires);
    url.searchParams.set('hash', this.hash(mediaId, expires));
    return url.toString();
  }

  /** False when tampered with or past its expiry (by the fake's clock). */
  isValid(mediaId: string, expires: unknown, hash: unknown): boolean {
    if (typeof expires !== 'string' || typeof hash !== 'string' || !/^\d+$/.test(expires)) return false;
    const expected = Buffer.from(this.hash(mediaId, expires));
    const given = Buffer.from(hash);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return false;
    return this.now() < Number(expires) * 1000;
  }

  private hash(mediaId: string, expires: string): string {
    return crypto.createHmac('sha256', this.key).update(`${mediaId}:${expires}`).digest('hex').slice(0, 32);
  }
}
