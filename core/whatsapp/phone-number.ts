/**
 * A WhatsApp id (`wa_id`: the number in E.164 without the `+`, always with its country code) and phone values
 * typed by people into a CRM (`+44 20 …`, `0044 …`, `(415) 555-1212`, `020 …`). The country code is split off by
 * ITU-T E.164's table (codes of one, two or three digits): a wa_id carries its code, so nothing is guessed.
 */
export interface PhoneForms {
  /** `+` and the wa_id. */
  e164: string;
  /** The wa_id without its country code. */
  national: string;
}

const oneDigitCodes = new Set(['1', '7']);
const twoDigitCodes = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53',
  '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

/** Below this many digits a national number matches too many others to be taken as anyone's. */
const MIN_NATIONAL_DIGITS = 6;

/** The normalised form Threadline writes to CRMs: `+` and the wa_id; undefined when it is not a wa_id. */
export function e164Of(waId: string): string | undefined {
  return /^\d{7,15}$/.test(waId) ? `+${waId}` : undefined;
}

export function phoneFormsOf(waId: string): PhoneForms | undefined {
  const e164 = e164Of(waId);
  if (e164 === undefined) return undefined;
  const codeLength = oneDigitCodes.has(waId.slice(0, 1)) ? 1 : twoDigitCodes.has(waId.slice(0, 2)) ? 2 : 3;
  return { e164, national: waId.slice(codeLength) };
}

/** The national number of a wa_id when it is long enough to search a phone index for, else undefined. */
export function searchableNational(waId: string): string | undefined {
  const national = phoneFormsOf(waId)?.national;
  return national !== undefined && national.length >= MIN_NATIONAL_DIGITS ? national : undefined;
}

/** A typed phone value as `+digits` when it carries a country prefix (`+` or `00`), else undefined. */
export function internationalForm(typed: unknown): string | undefined {
  if (typeof typed !== 'string') return undefined;
  const match = /^(?:\+|00)(\d{7,15})$/.exec(typed.replace(/[\s().\-/]/g, ''));
  return match?.[1] === undefined ? undefined : `+${match[1]}`;
}

/** The digits of a value typed without country prefix, trunk zeros dropped (`020 7946 0018` → `2079460018`). */
export function nationalDigits(typed: string): string {
  return typed.replace(/\D/g, '').replace(/^0+/, '');
}

/**
 * Whether a typed phone value is this wa_id: with an international prefix all digits must be equal; without one,
 * the digits must be the wa_id or its national number (a national number alone is ambiguous across countries,
 * so a caller searching by it checks every hit here).
 */
export function isSameNumber(typed: unknown, waId: string): boolean {
  if (typeof typed !== 'string') return false;
  const international = internationalForm(typed);
  if (international !== undefined) return international === `+${waId}`;
  const digits = nationalDigits(typed);
  return digits.length >= MIN_NATIONAL_DIGITS && (digits === waId || digits === phoneFormsOf(waId)?.national);
}
