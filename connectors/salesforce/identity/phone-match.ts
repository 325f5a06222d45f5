import { searchableNational } from '../../../core/whatsapp/phone-number';

/**
 * The digit strings SOSL is asked for (reference §3.1): the full international number, then the national number
 * as the country-code table splits it; each hit is then checked with isSameNumber.
 */
export function searchTerms(waId: string): string[] {
  const national = searchableNational(waId);
  return national === undefined ? [waId] : [waId, national];
}
