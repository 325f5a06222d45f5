import crypto from 'node:crypto';

const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Salesforce's case-safe suffix: one character per 5-character chunk, bit i set when char i is upper case. */
function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += suffixAlphabet.charAt(bits);
  }
  return suffix;
}

/** A new 18-character id with the object's key prefix (003 Contact, 00Q Lead, …). */
export function newId(keyPrefix: string): string {
  let body = keyPrefix + '5g';
  while (body.length < 15) body += base62.charAt(crypto.randomInt(62));
  return body + checksum(body);
}

/** 15- or 18-character id → 18 characters; undefined when it is not an id at all (MALFORMED_ID). */
export function toId18(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  const id18 = id15 + checksum(id15);
  return id.length === 18 && id.slice(15).toUpperCase() !== id18.slice(15) ? undefined : id18;
}
