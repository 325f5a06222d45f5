import crypto from 'node:crypto';

const TAG_BYTES = 16;

/**
 * AES-256-GCM for secrets at rest. The ciphertext names the key that made it
 * (`v1.<keyId>.<iv>.<tag>.<data>`), so keys can rotate: new writes use the current key,
 * old rows stay readable while their key is still listed.
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    if (currentKey.length !== 32) throw new Error('The encryption key must be 32 bytes');
    if (previousKeys.some((k) => k.length !== 32)) throw new Error('Every previous encryption key must be 32 bytes');
    this.currentId = SecretBox.keyId(currentKey);
    for (const key of [currentKey, ...previousKeys]) this.keys.set(SecretBox.keyId(key), key);
  }

  static keyId(key: Buffer): string {
    return crypto.createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  /** What every value sealed now starts with; a value without it was sealed under a previous key. */
  get currentPrefix(): string {
    return `v1.${this.currentId}.`;
  }

  /** The same secret under the current key, or null when it already is (rotation re-seals only what it must). */
  reseal(sealed: string): string | null {
    return sealed.startsWith(this.currentPrefix) ? null : this.seal(this.open(sealed));
  }

  seal(plaintext: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.keyFor(this.currentId), iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const parts = sealed.split('.');
    const [version, keyId, iv, tag, data] = parts;
    if (parts.length !== 5 || version !== 'v1' || !keyId || !iv || !tag || data === undefined) throw new Error('Not a sealed secret');
    const key = this.keyFor(keyId);
    const tagBytes = Buffer.from(tag, 'base64url');
    // GCM accepts truncated tags unless told the length; a 4-byte tag would be forgeable.
    if (tagBytes.length !== TAG_BYTES) throw new Error('Sealed secret was altered: its authentication tag is not 16 bytes');
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`Sealed secret was altered or corrupted (it does not authenticate under key ${keyId})`);
    }
  }

  private keyFor(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new Error(`Secret was sealed with key ${id}, which is not configured`);
    return key;
  }
}
