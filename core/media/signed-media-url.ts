import crypto from 'node:crypto';

/** Where the server serves a message's media; `:messageId` is the message's uuid. */
export const MEDIA_PATH = '/media/:messageId';

/**
 * Zendesk (and any platform given `file_urls`) downloads attachments itself, without our credentials,
 * and Meta's URLs need our token: so platforms get Threadline URLs that carry their own permission.
 * The signature is an HMAC of the message id and the expiry, under a key derived from the encryption
 * key for this purpose only (HKDF), so it never doubles as anything else. A few days: Zendesk fetches
 * within seconds, but a sync delayed by a long outage must still hand out a working URL.
 */
export class MediaUrlSigner {
  private readonly key: Buffer;

  constructor(
    encryptionKey: Buffer,
    private readonly publicUrl: string,
    private readonly ttlMs = 3 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {
    this.key = Buffer.from(crypto.hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'threadline/media-url/v1', 32));
  }

  /** A URL valid for `ttlMs` from now. */
  urlFor(messageId: string): string {
    const expires = String(Math.floor((this.now() + this.ttlMs) / 1000));
    const url = new URL(`${this.publicUrl.replace(/\/$/, '')}${MEDIA_PATH.replace(':messageId', encodeURIComponent(messageId))}`);
    url.searchParams.set('expires', expires);
    url.searchParams.set('signature', this.signature(messageId, expires));
    return url.toString();
  }

  /** Constant-time check of the signature; then the expiry, which the signature covers. */
  verify(messageId: string, expires: unknown, signature: unknown): 'valid' | 'invalid' | 'expired' {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return 'invalid';
    const expected = Buffer.from(this.signature(messageId, expires));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return 'invalid';
    return this.now() < Number(expires) * 1000 ? 'valid' : 'expired';
  }

  private signature(messageId: string, expires: string): string {
    return crypto.createHmac('sha256', this.key).update(`${messageId}\n${expires}`).digest('base64url');
  }
}
