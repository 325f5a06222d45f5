import crypto from 'node:crypto';

/** A random token for a URL or a form field: 256 bits, base64url. */
export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/**
 * What is stored of a token we only ever compare: a SHA-256 (the tokens are random and long, so a fast
 * hash is enough). Looking a row up by this hash compares in the index, never byte by byte in our code.
 */
export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

/** Constant time, whatever the lengths. */
export function tokenMatches(token: string, hash: string): boolean {
  const given = Buffer.from(tokenHash(token));
  const expected = Buffer.from(hash);
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}
