import { parseFieldList, parseWhere, SoqlError, tokenize, TokenStream, type Where } from './soql';

/**
 * The SOSL the connector sends (reference §3.1): `FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS] RETURNING
 * Object(field, … [WHERE …] [LIMIT n]) [, …] [LIMIT n]`. The reserved characters `? & | ! { } [ ] ( ) ^ ~ : \ " ' + -`
 * must be backslash-escaped inside the braces; an unescaped one is MALFORMED_SEARCH here (Salesforce gives some
 * of them operator meanings instead [U]). Throws `SoqlError` on anything else.
 */
export type SearchGroup = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE';

export interface SoslQuery {
  term: string;
  group: SearchGroup;
  returning: Array<{ object: string; fields: string[]; where: Where | undefined; limit: number | undefined }>;
  limit: number;
}

const reservedInTerm = /[?&|!{}[\]()^~:"'+-]/;

export function parseSosl(source: string): SoslQuery {
  const find = /^\s*FIND\s*\{((?:\\.|[^\\}])*)\}/i.exec(source);
  if (!find) throw new SoqlError('unexpected token: the search must start with FIND {term}');
  const raw = find[1] ?? '';
  const unescaped = raw.replace(/\\./g, '');
  if (reservedInTerm.test(unescaped)) throw new SoqlError(`unescaped reserved character in search term: ${raw}`);
  const term = raw.replace(/\\(.)/g, '$1').trim();
  if (term.replace(/[*?]/g, '').length < 2) throw new SoqlError('search term must be longer than one character');
  const stream = new TokenStream(tokenize(source.slice(find[0].length)));
  let group: SearchGroup = 'ALL';
  if (stream.isKeyword('IN')) {
    stream.next();
    const word = stream.next('search group').text.toUpperCase();
    if (!['ALL', 'NAME', 'EMAIL', 'PHONE'].includes(word)) throw new SoqlError(`unexpected token: '${word}'`);
    group = word as SearchGroup;
    stream.keyword('FIELDS');
  }
  stream.keyword('RETURNING');
  const returning: SoslQuery['returning'] = [];
  for (;;) {
    const object = stream.identifier();
    let fields = ['Id'];
    let where: Where | undefined;
    let limit: number | undefined;
    if (stream.peek()?.text === '(') {
      stream.next();
      const inner = (s: TokenStream) => s.peek()?.text === ')' || s.isKeyword('WHERE') || s.isKeyword('LIMIT');
      fields = parseFieldList(stream, inner);
      if (stream.isKeyword('WHERE')) {
        stream.next();
        where = parseWhere(stream, (s) => s.peek()?.text === ')' || s.isKeyword('LIMIT'));
      }
      if (stream.isKeyword('LIMIT')) {
        stream.next();
        limit = Number(stream.next('number').value);
      }
      stream.symbol(')');
    }
    returning.push({ object, fields, where, limit });
    if (stream.peek()?.text !== ',') break;
    stream.next();
  }
  let limit = 2000;
  if (stream.isKeyword('LIMIT')) {
    stream.next();
    limit = Math.min(2000, Number(stream.next('number').value));
  }
  if (!stream.done()) throw new SoqlError(`unexpected token: '${stream.next().text}'`);
  return { term, group, returning, limit };
}

/**
 * Whether a search term hits a value. Phone fields compare digits only: the stored number's digits equal the
 * term's or end with them (so the national number finds an international entry) [U: Salesforce's phone
 * tokenisation is not documented]. Text compares case-insensitively by word, `*` a wildcard for any run.
 */
export function termMatches(term: string, value: string, phone: boolean): boolean {
  if (phone) {
    const wanted = term.replace(/\D/g, '');
    const stored = value.replace(/\D/g, '');
    return wanted.length > 0 && (stored === wanted || stored.endsWith(wanted));
  }
  const pattern = new RegExp(`(^|\\W)${term.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '\\w*').replace(/\?/g, '\\w')}(\\W|$)`, 'i');
  return pattern.test(value);
}
