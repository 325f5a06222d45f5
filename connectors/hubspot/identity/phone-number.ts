/**
 * A WhatsApp id (`wa_id`: the number in E.164 without the `+`) in the two forms HubSpot's calculated phone
 * properties hold (reference §7.1): `+E164`, and the national number without country code. The country
 * code is split off by ITU-T E.164's table (codes of one, two or three digits), which is all a wa_id needs:
 * it always carries its country code, so no guessing of a default country.
 */
export interface PhoneForms {
  e164: string;
  national: string;
}

const oneDigitCodes = new Set(['1', '7']);
const twoDigitCodes = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53',
  '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

export function phoneFormsOf(waId: string): PhoneForms | undefined {
  const digits = waId.replace(/^\+/, '');
  if (!/^\d{7,15}$/.test(digits)) return undefined;
  const codeLength = oneDigitCodes.has(digits.slice(0, 1)) ? 1 : twoDigitCodes.has(digits.slice(0, 2)) ? 2 : 3;
  return { e164: `+${digits}`, national: digits.slice(codeLength) };
}

/** A typed phone value as `+digits` when it carries a country prefix (`+` or `00`), else undefined. */
export function internationalForm(typed: string | null | undefined): string | undefined {
  const compact = (typed ?? '').replace(/[\s().\-/]/g, '');
  const match = /^(?:\+|00)(\d{7,15})$/.exec(compact);
  return match?.[1] === undefined ? undefined : `+${match[1]}`;
}
