/**
 * The part of SOQL the connector needs, parsed strictly (reference §2.1, §3.1):
 * `SELECT f, … FROM Object [WHERE cond (AND cond)* | cond (OR cond)*] [ORDER BY f [ASC|DESC]] [LIMIT n]`, where a
 * condition is `field (=|!=) literal`, `field [NOT] IN (literal, …)` or `field LIKE 'pattern'`. Literals: quoted
 * strings (with `\'` `\\` escapes), numbers, true/false/null. Mixing AND and OR without parentheses is refused, as
 * Salesforce does. Anything else throws `SoqlError` (answered as MALFORMED_QUERY).
 */
export class SoqlError extends Error {}

export type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string; value?: string | number };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= source.length) throw new SoqlError('unexpected token: <EOF>: unterminated string');
        const d = source.charAt(i);
        if (d === '\\') {
          const next = source.charAt(i + 1);
          const escapes: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t', _: '\\_', '%': '\\%' };
          const mapped = escapes[next];
          if (mapped === undefined) throw new SoqlError(`Invalid string literal '\\${next}'. Illegal character sequence '\\${next}' in string literal.`);
          value += mapped;
          i += 2;
        } else if (d === "'") {
          i += 1;
          break;
        } else {
          value += d;
          i += 1;
        }
      }
      tokens.push({ kind: 'string', text: `'${value}'`, value });
    } else if (/[0-9-]/.test(c) && /[0-9]/.test(source.charAt(c === '-' ? i + 1 : i))) {
      const match = /^-?\d+(\.\d+)?/.exec(source.slice(i));
      const text = match?.[0] ?? c;
      tokens.push({ kind: 'number', text, value: Number(text) });
      i += text.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const text = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i))?.[0] ?? c;
      tokens.push({ kind: 'word', text });
      i += text.length;
    } else {
      const text = source.startsWith('!=', i) ? '!=' : c;
      if (!['=', '!=', '(', ')', ',', '{', '}'].includes(text)) throw new SoqlError(`unexpected token: '${text}'`);
      tokens.push({ kind: 'symbol', text });
      i += text.length;
    }
  }
  return tokens;
}

export type Literal = string | number | boolean | null;
export type Condition = { field: string; op: '=' | '!=' | 'IN' | 'NOT IN' | 'LIKE'; values: Literal[] };
export interface Where {
  join: 'AND' | 'OR';
  conditions: Condition[];
}
export interface SoqlQuery {
  fields: string[];
  object: string;
  where: Where | undefined;
  orderBy: { field: string; descending: boolean } | undefined;
  limit: number | undefined;
}

/** A cursor over tokens; SOSL's RETURNING clause reuses it. */
export class TokenStream {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.index];
  }

  next(expected?: string): Token {
    const token = this.tokens[this.index];
    if (!token) throw new SoqlError(`unexpected token: <EOF>${expected ? ` (expecting '${expected}')` : ''}`);
    this.index += 1;
    return token;
  }

  isKeyword(word: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toUpperCase() === word;
  }

  keyword(word: string): void {
    const token = this.next(word);
    if (token.kind !== 'word' || token.text.toUpperCase() !== word) throw new SoqlError(`unexpected token: '${token.text}' (expecting '${word}')`);
  }

  symbol(text: string): void {
    const token = this.next(text);
    if (token.kind !== 'symbol' || token.text !== text) throw new SoqlError(`unexpected token: '${token.text}' (expecting '${text}')`);
  }

  identifier(): string {
    const token = this.next('identifier');
    if (token.kind !== 'word' || reserved.has(token.text.toUpperCase())) throw new SoqlError(`unexpected token: '${token.text}'`);
    return token.text;
  }

  done(): boolean {
    return this.index >= this.tokens.length;
  }
}

const reserved = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'LIMIT', 'ORDER', 'BY', 'ASC', 'DESC', 'NULL', 'TRUE', 'FALSE', 'FIND', 'RETURNING']);

export function parseFieldList(stream: TokenStream, until: (s: TokenStream) => boolean): string[] {
  const fields = [stream.identifier()];
  while (!until(stream)) {
    stream.symbol(',');
    fields.push(stream.identifier());
  }
  return fields;
}

function literal(stream: TokenStream): Literal {
  const token = stream.next('value');
  if (token.kind === 'string' || token.kind === 'number') return token.value ?? null;
  const upper = token.text.toUpperCase();
  if (token.kind === 'word' && upper === 'NULL') return null;
  if (token.kind === 'word' && (upper === 'TRUE' || upper === 'FALSE')) return upper === 'TRUE';
  throw new SoqlError(`unexpected token: '${token.text}'`);
}

function condition(stream: TokenStream): Condition {
  const field = stream.identifier();
  const token = stream.next('operator');
  const op = token.text.toUpperCase();
  if (op === '=' || op === '!=') return { field, op, values: [literal(stream)] };
  if (op === 'LIKE') {
    const value = literal(stream);
    if (typeof value !== 'string') throw new SoqlError('LIKE needs a string literal');
    return { field, op, values: [value] };
  }
  let negated = false;
  if (op === 'NOT') {
    stream.keyword('IN');
    negated = true;
  } else if (op !== 'IN') throw new SoqlError(`unexpected token: '${token.text}'`);
  stream.symbol('(');
  const values = [literal(stream)];
  while (stream.peek()?.text === ',') {
    stream.next();
    values.push(literal(stream));
  }
  stream.symbol(')');
  return { field, op: negated ? 'NOT IN' : 'IN', values };
}

export function parseWhere(stream: TokenStream, stop: (s: TokenStream) => boolean): Where {
  const where: Where = { join: 'AND', conditions: [condition(stream)] };
  let join: 'AND' | 'OR' | undefined;
  while (!stop(stream) && (stream.isKeyword('AND') || stream.isKeyword('OR'))) {
    const next = stream.next().text.toUpperCase() as 'AND' | 'OR';
    if (join && join !== next) throw new SoqlError(`unexpected token: '${next}': mixing AND and OR needs parentheses`);
    join = next;
    where.conditions.push(condition(stream));
  }
  where.join = join ?? 'AND';
  return where;
}

function positiveInt(stream: TokenStream): number {
  const token = stream.next('number');
  if (token.kind !== 'number' || !Number.isInteger(token.value) || Number(token.value) < 0) throw new SoqlError(`unexpected token: '${token.text}'`);
  return Number(token.value);
}

export function parseSoql(source: string): SoqlQuery {
  const stream = new TokenStream(tokenize(source));
  stream.keyword('SELECT');
  const fields = parseFieldList(stream, (s) => s.isKeyword('FROM'));
  stream.keyword('FROM');
  const object = stream.identifier();
  const atClause = (s: TokenStream) => s.done() || s.isKeyword('ORDER') || s.isKeyword('LIMIT');
  const where = stream.isKeyword('WHERE') ? (stream.next(), parseWhere(stream, atClause)) : undefined;
  let orderBy: SoqlQuery['orderBy'];
  if (stream.isKeyword('ORDER')) {
    stream.next();
    stream.keyword('BY');
    const field = stream.identifier();
    const descending = stream.isKeyword('DESC');
    if (descending || stream.isKeyword('ASC')) stream.next();
    orderBy = { field, descending };
  }
  const limit = stream.isKeyword('LIMIT') ? (stream.next(), positiveInt(stream)) : undefined;
  if (!stream.done()) throw new SoqlError(`unexpected token: '${stream.next().text}'`);
  return { fields, object, where, orderBy, limit };
}

/** `%` any run, `_` one character; `\%` and `\_` literal. Case-insensitive, as SOQL LIKE is. */
function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern.charAt(i);
    if (c === '\\' && (pattern.charAt(i + 1) === '%' || pattern.charAt(i + 1) === '_')) {
      source += pattern.charAt(i + 1);
      i += 1;
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

/** String comparisons are case-insensitive in SOQL; ids compare on their first 15 characters. */
function same(stored: unknown, literal: Literal): boolean {
  if (literal === null) return stored === null || stored === undefined;
  if (typeof literal === 'string' && typeof stored === 'string') {
    const looksLikeId = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(literal) && /^[a-zA-Z0-9]{18}$/.test(stored);
    return looksLikeId ? stored.slice(0, 15) === literal.slice(0, 15) : stored.toLowerCase() === literal.toLowerCase();
  }
  return stored === literal;
}

export function matches(record: Record<string, unknown>, where: Where | undefined, fieldName: (f: string) => string): boolean {
  if (!where) return true;
  const test = (c: Condition): boolean => {
    const stored = record[fieldName(c.field)];
    switch (c.op) {
      case '=':
        return same(stored, c.values[0] ?? null);
      case '!=':
        return !same(stored, c.values[0] ?? null);
      case 'IN':
        return c.values.some((v) => same(stored, v));
      case 'NOT IN':
        return !c.values.some((v) => same(stored, v));
      case 'LIKE':
        return typeof stored === 'string' && likeToRegExp(String(c.values[0])).test(stored);
    }
  };
  return where.join === 'AND' ? where.conditions.every(test) : where.conditions.some(test);
}
