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
  /** The current key signs; keys being rotated out still verify the URLs they signed (they live for days). */
  private readonly keys: Buffer[];

  constructor(
    encryptionKeys: Buffer | readonly Buffer[],
    private readonly publicUrl: string,
    private readonly ttlMs = 3 * 24 * 3600_000,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = (Buffer.isBuffer(encryptionKeys) ? [encryptionKeys] : [...encryptionKeys])
      .map((key) => Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), 'threadline/media-url/v1', 32)));
  }

  /** A URL valid for `ttlMs` from now. */
  urlFor(messageId: string): string {
    const expires = String(Math.floor((this.now() + this.ttlMs) / 1000));
    const url = new URL(`${this.publicUrl.replace(/\/$/, '')}${MEDIA_PATH.replace(':messageId', encodeURIComponent(messageId))}`);
    url.searchParams.set('expires', expires);
    url.searchParams.set('signature', this.signature(this.keys[0], messageId, expires));
    return url.toString();
  }

  /** Constant-time check of the signature; then the expiry, which the signature covers. */
  verify(messageId: string, expires: unknown, signature: unknown): 'valid' | 'invalid' | 'expired' {
    if (typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) return 'invalid';
    const given = Buffer.from(signature);
    const signedByOne = this.keys.some((key) => {
      const expected = Buffer.from(this.signature(key, messageId, expires));
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    });
    if (!signedByOne) return 'invalid';
    return this.now() < Number(expires) * 1000 ? 'valid' : 'expired';
  }

  private signature(key: Buffer | undefined, messageId: string, expires: string): string {
    if (!key) throw new Error('MediaUrlSigner needs at least one key');
    return crypto.createHmac('sha256', key).update(`${messageId}\n${expires}`).digest('base64url');
  }
}
