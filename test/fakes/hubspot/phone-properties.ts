/**
 * HubSpot's calculated, searchable copies of a contact's free-text `phone` and `mobilephone` (reference §7.1,
 * [3P]: names confirmed in property listings, semantics from their labels). The fake derives them the way the
 * labels describe: without country code, and with it (`+E164`). A number typed without a country prefix has no
 * international form here, as HubSpot cannot know its country without the contact's or portal's default [U].
 */

// ITU-T E.164 country calling codes of one and two digits; every other code has three.
const oneDigitCodes = new Set(['1', '7']);
const twoDigitCodes = new Set([
  '20', '27', '30', '31', '32', '33', '34', '36', '39', '40', '41', '43', '44', '45', '46', '47', '48', '49', '51', '52', '53',
  '54', '55', '56', '57', '58', '60', '61', '62', '63', '64', '65', '66', '81', '82', '84', '86', '90', '91', '92', '93', '94', '95', '98',
]);

interface ParsedPhone {
  /** Digits after the country code (or the typed digits without a leading trunk 0). */
  national: string;
  /** `+` country code national, when the typed value had a country prefix. */
  international: string | undefined;
}

export function parsePhone(raw: string): ParsedPhone | undefined {
  const compact = raw.replace(/[\s().\-/]/g, '');
  const international = /^(?:\+|00)(\d{6,15})$/.exec(compact);
  if (international?.[1]) {
    const digits = international[1];
    const codeLength = oneDigitCodes.has(digits.slice(0, 1)) ? 1 : twoDigitCodes.has(digits.slice(0, 2)) ? 2 : 3;
    return { national: digits.slice(codeLength), international: `+${digits}` };
  }
  const local = /^0?(\d{4,14})$/.exec(compact);
  return local?.[1] ? { national: local[1], international: undefined } : undefined;
}

/** The calculated properties for a contact's current phone and mobile phone. */
export function calculatedPhoneProperties(properties: Record<string, string | null>): Record<string, string | null> {
  const phone = properties.phone ? parsePhone(properties.phone) : undefined;
  const mobile = properties.mobilephone ? parsePhone(properties.mobilephone) : undefined;
  return {
    hs_searchable_calculated_phone_number: phone?.national ?? null,
    hs_searchable_calculated_mobile_number: mobile?.national ?? null,
    hs_searchable_calculated_international_phone_number: phone?.international ?? null,
    hs_searchable_calculated_international_mobile_number: mobile?.international ?? null,
    hs_calculated_phone_number: phone?.international ?? null,
    hs_calculated_mobile_number: mobile?.international ?? null,
  };
}
