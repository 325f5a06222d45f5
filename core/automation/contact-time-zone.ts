import { phoneFormsOf } from '../whatsapp/phone-number';

/**
 * One IANA zone per country calling code, for quiet hours in the customer's own time. A country spanning several
 * zones gets its most populous one (+1 → New York for the US and Canada, +7 → Moscow, +55 → São Paulo, +61 →
 * Sydney, +52 → Mexico City, +62 → Jakarta): a customer in Los Angeles is judged three hours early, which quiet
 * hours of a few hours' margin absorb. Codes not listed fall back to the rule's `defaultTimeZone`.
 */
const zoneByCallingCode: Readonly<Record<string, string>> = {
  1: 'America/New_York', 7: 'Europe/Moscow',
  20: 'Africa/Cairo', 27: 'Africa/Johannesburg', 30: 'Europe/Athens', 31: 'Europe/Amsterdam', 32: 'Europe/Brussels', 33: 'Europe/Paris',
  34: 'Europe/Madrid', 36: 'Europe/Budapest', 39: 'Europe/Rome', 40: 'Europe/Bucharest', 41: 'Europe/Zurich', 43: 'Europe/Vienna',
  44: 'Europe/London', 45: 'Europe/Copenhagen', 46: 'Europe/Stockholm', 47: 'Europe/Oslo', 48: 'Europe/Warsaw', 49: 'Europe/Berlin',
  51: 'America/Lima', 52: 'America/Mexico_City', 53: 'America/Havana', 54: 'America/Argentina/Buenos_Aires', 55: 'America/Sao_Paulo',
  56: 'America/Santiago', 57: 'America/Bogota', 58: 'America/Caracas', 60: 'Asia/Kuala_Lumpur', 61: 'Australia/Sydney', 62: 'Asia/Jakarta',
  63: 'Asia/Manila', 64: 'Pacific/Auckland', 65: 'Asia/Singapore', 66: 'Asia/Bangkok', 81: 'Asia/Tokyo', 82: 'Asia/Seoul',
  84: 'Asia/Ho_Chi_Minh', 86: 'Asia/Shanghai', 90: 'Europe/Istanbul', 91: 'Asia/Kolkata', 92: 'Asia/Karachi', 93: 'Asia/Kabul',
  94: 'Asia/Colombo', 95: 'Asia/Yangon', 98: 'Asia/Tehran',
  212: 'Africa/Casablanca', 213: 'Africa/Algiers', 216: 'Africa/Tunis', 218: 'Africa/Tripoli', 221: 'Africa/Dakar', 225: 'Africa/Abidjan',
  233: 'Africa/Accra', 234: 'Africa/Lagos', 237: 'Africa/Douala', 243: 'Africa/Kinshasa', 244: 'Africa/Luanda', 249: 'Africa/Khartoum',
  251: 'Africa/Addis_Ababa', 254: 'Africa/Nairobi', 255: 'Africa/Dar_es_Salaam', 256: 'Africa/Kampala', 260: 'Africa/Lusaka',
  263: 'Africa/Harare', 351: 'Europe/Lisbon', 352: 'Europe/Luxembourg', 353: 'Europe/Dublin', 354: 'Atlantic/Reykjavik',
  355: 'Europe/Tirane', 356: 'Europe/Malta', 357: 'Asia/Nicosia', 358: 'Europe/Helsinki', 359: 'Europe/Sofia', 370: 'Europe/Vilnius',
  371: 'Europe/Riga', 372: 'Europe/Tallinn', 380: 'Europe/Kyiv', 381: 'Europe/Belgrade', 385: 'Europe/Zagreb', 386: 'Europe/Ljubljana',
  420: 'Europe/Prague', 421: 'Europe/Bratislava', 502: 'America/Guatemala', 503: 'America/El_Salvador', 504: 'America/Tegucigalpa',
  505: 'America/Managua', 506: 'America/Costa_Rica', 507: 'America/Panama', 591: 'America/La_Paz', 593: 'America/Guayaquil',
  595: 'America/Asuncion', 598: 'America/Montevideo', 852: 'Asia/Hong_Kong', 880: 'Asia/Dhaka', 886: 'Asia/Taipei', 961: 'Asia/Beirut',
  962: 'Asia/Amman', 964: 'Asia/Baghdad', 965: 'Asia/Kuwait', 966: 'Asia/Riyadh', 968: 'Asia/Muscat', 971: 'Asia/Dubai',
  972: 'Asia/Jerusalem', 973: 'Asia/Bahrain', 974: 'Asia/Qatar', 977: 'Asia/Kathmandu', 994: 'Asia/Baku', 995: 'Asia/Tbilisi',
  998: 'Asia/Tashkent',
};

/** The customer's time zone by their number's country code, or undefined when the code is not in the table. */
export function timeZoneOfWaId(waId: string): string | undefined {
  const forms = phoneFormsOf(waId);
  if (!forms) return undefined;
  return zoneByCallingCode[waId.slice(0, waId.length - forms.national.length)];
}
