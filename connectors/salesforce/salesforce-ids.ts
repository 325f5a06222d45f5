const suffixAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/**
 * A 15- or 18-character Salesforce id in its 18-character, case-safe form (reference §1.4: doc examples and
 * some APIs give 15), so one record has one key here; undefined when it is not an id.
 */
export function toId18(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += suffixAlphabet.charAt(bits);
  }
  return id.length === 18 && id.slice(15).toUpperCase() !== suffix ? undefined : id15 + suffix;
}
