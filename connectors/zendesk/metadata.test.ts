import crypto from 'node:crypto';
import { parseChannelbackForm } from './channelback';
import { claimedInstallationId, signInstallationMetadata, verifyInstallationMetadata } from './metadata';

describe('installation metadata', () => {
  const id = crypto.randomUUID();
  const key = crypto.randomBytes(32).toString('hex');

  it('carries the installation id and a signature, never the key', () => {
    const metadata = signInstallationMetadata(id, key);
    expect(metadata).not.toContain(key);
    expect(claimedInstallationId(metadata)).toBe(id);
    expect(verifyInstallationMetadata(metadata, id, key)).toBe(true);
  });

  it('refuses another key, another installation, a tampered or malformed string', () => {
    const metadata = signInstallationMetadata(id, key);
    expect(verifyInstallationMetadata(metadata, id, 'other-key-'.repeat(4))).toBe(false);
    expect(verifyInstallationMetadata(metadata, crypto.randomUUID(), key)).toBe(false);
    expect(verifyInstallationMetadata(metadata.replace(id, crypto.randomUUID()), id, key)).toBe(false);
    for (const bad of [undefined, '', 'null', '{"v":1}', '[]', 'x']) {
      expect(verifyInstallationMetadata(bad, id, key)).toBe(false);
      expect(claimedInstallationId(bad)).toBeUndefined();
    }
  });
});

describe('parseChannelbackForm', () => {
  it('reads repeated file_urls[] keys as a list (reference §1.6 parser gotcha)', () => {
    const body = Buffer.from('message=Hi+there&thread_id=t1&file_urls%5B%5D=https%3A%2F%2Fa%2F1&file_urls%5B%5D=https%3A%2F%2Fa%2F2');
    expect(parseChannelbackForm(body)).toEqual({ message: 'Hi there', thread_id: 't1', file_urls: ['https://a/1', 'https://a/2'] });
    expect(parseChannelbackForm(Buffer.from('message=x'))).toEqual({ message: 'x', file_urls: [] });
  });
});
