/**
 * Matching a wa_id (E.164 digits without `+`, always with country code) against phone fields typed by people
 * (reference §3.1: `(415) 555-1212`, `+44 20 …`, `020 …`). Country codes are one to three digits (ITU-T E.164), so
 * the national number is the wa_id without its first one, two or three digits: SOSL is asked for each form and
 * every candidate it returns is checked here, since a national number alone is ambiguous across countries.
 */

/** The normalised value Threadline writes to WhatsApp_E164__c: `+` and the wa_id. */
export function e164Of(waId: string): string | undefined {
  return /^\d{7,15}$/.test(waId) ? `+${waId}` : undefined;
}

/** The digit strings SOSL is asked for: the full international number, then the national number per code length. */
export function searchTerms(waId: string): string[] {
  const nationals = [1, 2, 3].map((codeLength) => waId.slice(codeLength)).filter((n) => n.length >= 6);
  return [...new Set([waId, ...nationals])];
}

/**
 * Whether a typed phone value is this wa_id: with an international prefix (`+`, `00`) all digits must be equal;
 * without one, the digits (trunk zeros dropped) must be the wa_id or the wa_id less a one-to-three-digit country code.
 */
export function isSameNumber(typed: unknown, waId: string): boolean {
  if (typeof typed !== 'string') return false;
  const compact = typed.replace(/[\s().\-/]/g, '');
  const international = /^(?:\+|00)(\d+)$/.exec(compact);
  if (international) return international[1] === waId;
  const digits = compact.replace(/\D/g, '').replace(/^0+/, '');
  if (digits.length < 6) return false;
  return digits === waId || (waId.endsWith(digits) && waId.length - digits.length >= 1 && waId.length - digits.length <= 3);
}
