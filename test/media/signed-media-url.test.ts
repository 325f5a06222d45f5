import crypto from 'node:crypto';
import { MediaUrlSigner } from '../../core/media/signed-media-url';

const params = (url: string) => {
  const u = new URL(url);
  return { id: u.pathname.split('/').pop() ?? '', expires: u.searchParams.get('expires'), signature: u.searchParams.get('signature') };
};

describe('signed media URLs across a key rotation', () => {
  const oldKey = crypto.randomBytes(32);
  const newKey = crypto.randomBytes(32);
  const messageId = crypto.randomUUID();

  it('keeps verifying URLs the retiring key signed while it is a previous key, and signs new ones with the current key', () => {
    const issued = params(new MediaUrlSigner(oldKey, 'https://t.example').urlFor(messageId));
    const rotating = new MediaUrlSigner([newKey, oldKey], 'https://t.example');
    expect(rotating.verify(issued.id, issued.expires, issued.signature)).toBe('valid');
    const fresh = params(rotating.urlFor(messageId));
    expect(new MediaUrlSigner(newKey, 'https://t.example').verify(fresh.id, fresh.expires, fresh.signature)).toBe('valid');
    expect(new MediaUrlSigner(oldKey, 'https://t.example').verify(fresh.id, fresh.expires, fresh.signature)).toBe('invalid');
  });

  it('refuses them once the old key is retired', () => {
    const issued = params(new MediaUrlSigner(oldKey, 'https://t.example').urlFor(messageId));
    expect(new MediaUrlSigner(newKey, 'https://t.example').verify(issued.id, issued.expires, issued.signature)).toBe('invalid');
  });

  it('binds the signature to the message', () => {
    const issued = params(new MediaUrlSigner([newKey, oldKey], 'https://t.example').urlFor(messageId));
    expect(new MediaUrlSigner([newKey, oldKey], 'https://t.example').verify(crypto.randomUUID(), issued.expires, issued.signature)).toBe('invalid');
  });
});
