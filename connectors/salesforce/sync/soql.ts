/**
 * SOQL and SOSL text from values (reference §2.1: never concatenate raw input). A string literal escapes
 * backslash and quote; a search term keeps digits only, so SOSL's reserved characters (`+ -` …) never occur.
 */
export function soqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export function soqlList(values: readonly string[]): string {
  return `(${values.map(soqlString).join(', ')})`;
}

export function soslDigits(value: string): string {
  return value.replace(/\D/g, '');
}
