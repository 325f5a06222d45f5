import { csvCell } from '../../core/analytics/report-csv';

/** CSV cells a spreadsheet reads as data: quoted when needed, never a formula (OWASP "CSV injection"). */
test.each([
  ['plain', 'plain'],
  ['a,b', '"a,b"'],
  ['say "hi"', '"say ""hi"""'],
  ['two\nlines', '"two\nlines"'],
  ['=1+1', "'=1+1"],
  ['+44 7700', "'+44 7700"],
  ['-2', "'-2"],
  ['@SUM(A1)', "'@SUM(A1)"],
  ['\t=cmd', "'\t=cmd"],
  ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
])('%j is written as %j', (value, written) => {
  expect(csvCell(value)).toBe(written);
});

test('numbers are written as numbers (a rate of 0.5, a negative never occurs) and null as an empty cell', () => {
  expect(csvCell(0.6667)).toBe('0.6667');
  expect(csvCell(0)).toBe('0');
  expect(csvCell(null)).toBe('');
});
