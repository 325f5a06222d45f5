import crypto from 'node:crypto';
import { SecretBox } from '../../core/crypto/secret-box';

const TOKEN = 'EAAGm0PX4ZCpsBAKZBr3xZCexample-system-user-token-Ωé✓';

/** Replaces one dot-separated part of a sealed value (0 version, 1 key id, 2 iv, 3 tag, 4 data). */
function withPart(sealed: string, index: number, change: (part: string) => string): string {
  return sealed.split('.').map((p, i) => (i === index ? change(p) : p)).join('.');
}

function flipFirstByte(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

describe('SecretBox', () => {
  const key = crypto.randomBytes(32);
  const box = new SecretBox(key);

  it('opens what it sealed, including non-ASCII and empty secrets', () => {
    expect(box.open(box.seal(TOKEN))).toBe(TOKEN);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('never shows the secret, and seals the same secret differently each time', () => {
    const a = box.seal(TOKEN);
    const b = box.seal(TOKEN);
    expect(a).not.toContain('EAAG');
    expect(Buffer.from(a.split('.')[4] ?? '', 'base64url').toString('utf8')).not.toContain('EAAG');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{8}\./);
    expect(a.split('.')[1]).toBe(SecretBox.keyId(key));
  });

  it.each([
    ['ciphertext', 4],
    ['IV', 2],
    ['authentication tag', 3],
  ])('refuses a value whose %s was altered, with a message saying so', (_label, index) => {
    const tampered = withPart(box.seal(TOKEN), index, flipFirstByte);
    expect(() => box.open(tampered)).toThrow(/altered/);
  });

  it('refuses a truncated authentication tag (GCM would otherwise check only its first bytes)', () => {
    const sealed = box.seal(TOKEN);
    for (const bytes of [4, 8, 12, 15]) {
      const truncated = withPart(sealed, 3, (tag) => Buffer.from(tag, 'base64url').subarray(0, bytes).toString('base64url'));
      expect(() => box.open(truncated)).toThrow(/altered/);
    }
  });

  it('refuses a value with data appended or moved to another position', () => {
    const sealed = box.seal(TOKEN);
    expect(() => box.open(`${sealed}.extra`)).toThrow('Not a sealed secret');
    expect(() => box.open(withPart(sealed, 4, (d) => `${d}AAAA`))).toThrow(/altered/);
    expect(() => box.open(TOKEN)).toThrow('Not a sealed secret');
    expect(() => box.open(sealed.replace(/^v1\./, 'v2.'))).toThrow('Not a sealed secret');
  });

  describe('key rotation', () => {
    const oldKey = crypto.randomBytes(32);
    const newKey = crypto.randomBytes(32);
    const sealedWithOld = new SecretBox(oldKey).seal(TOKEN);

    it('a box with the new key as current and the old one listed opens old values and seals with the new key', () => {
      const rotated = new SecretBox(newKey, [oldKey]);
      expect(rotated.open(sealedWithOld)).toBe(TOKEN);
      const resealed = rotated.seal(TOKEN);
      expect(resealed.split('.')[1]).toBe(SecretBox.keyId(newKey));
      expect(new SecretBox(newKey).open(resealed)).toBe(TOKEN);
    });

    it('a box without the old key fails with a message naming the missing key', () => {
      const withoutOld = new SecretBox(newKey);
      expect(() => withoutOld.open(sealedWithOld)).toThrow(`Secret was sealed with key ${SecretBox.keyId(oldKey)}, which is not configured`);
    });

    it('a value re-labelled with another configured key id does not open', () => {
      const rotated = new SecretBox(newKey, [oldKey]);
      const relabelled = withPart(sealedWithOld, 1, () => SecretBox.keyId(newKey));
      expect(() => rotated.open(relabelled)).toThrow(/altered/);
    });
  });

  it('refuses keys that are not 32 bytes, current or previous, when built rather than at first use', () => {
    expect(() => new SecretBox(crypto.randomBytes(16))).toThrow('The encryption key must be 32 bytes');
    expect(() => new SecretBox(key, [crypto.randomBytes(24)])).toThrow('Every previous encryption key must be 32 bytes');
  });
});
