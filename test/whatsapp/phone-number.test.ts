import { internationalForm, isSameNumber, phoneFormsOf, searchableNational } from '../../core/whatsapp/phone-number';

/** wa_ids against numbers as people type them into a CRM: the country code split off by the E.164 table. */
test('a wa_id splits into +E.164 and its national number by the country code table (one, two or three digits)', () => {
  expect(phoneFormsOf('14155551212')).toEqual({ e164: '+14155551212', national: '4155551212' });
  expect(phoneFormsOf('447700900123')).toEqual({ e164: '+447700900123', national: '7700900123' });
  expect(phoneFormsOf('353861234567')).toEqual({ e164: '+353861234567', national: '861234567' });
  expect(phoneFormsOf('+447700900123')).toBeUndefined();
  expect(phoneFormsOf('12345')).toBeUndefined();
});

test('only a national number of six digits or more is worth a search', () => {
  expect(searchableNational('447700900123')).toBe('7700900123');
  expect(searchableNational('3531234567')).toBe('1234567');
  expect(searchableNational('35312345')).toBeUndefined();
});

test('a typed value has an international form only with its country prefix', () => {
  expect(internationalForm('+44 7700 900 123')).toBe('+447700900123');
  expect(internationalForm('0044 7700 900123')).toBe('+447700900123');
  expect(internationalForm('07700 900123')).toBeUndefined();
  expect(internationalForm(447700900123)).toBeUndefined();
});

test('the same number: every digit with a prefix, the wa_id or its own national number without one', () => {
  expect(isSameNumber('+1 (415) 555-1212', '14155551212')).toBe(true);
  expect(isSameNumber('(415) 555-1212', '14155551212')).toBe(true);
  expect(isSameNumber('07700 900123', '447700900123')).toBe(true);
  expect(isSameNumber('447700900123', '447700900123')).toBe(true);
  // The same national digits in another country, and a national number split at the wrong code length.
  expect(isSameNumber('+49 7700 900123', '447700900123')).toBe(false);
  expect(isSameNumber('700900123', '447700900123')).toBe(false);
  expect(isSameNumber('12345', '4412345')).toBe(false);
  expect(isSameNumber(undefined, '447700900123')).toBe(false);
});
