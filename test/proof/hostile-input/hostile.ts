import fc from 'fast-check';

/**
 * Shared pieces of the hostile-input proof: what a hostile caller sends (values, shapes, raw bytes) and
 * what every answer must look like (never a 5xx; a 4xx is JSON, or HTML for the console, with a message).
 */

/** Strings a parser or a database chokes on: SQL and markup, NUL, lone surrogates, control and RTL marks, huge. */
export const NASTY_STRINGS = [
  "<script>alert(1)</script>' or 1=1 --",
  '"><img src=x onerror=alert(1)>',
  "'; drop table message; --",
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202e\u200b\ufeff',
  '../../etc/passwd',
  '%00%ff',
  '__proto__',
  'constructor',
  '9'.repeat(400),
  'é'.repeat(2_000),
] as const;

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

/** Any JSON scalar of the wrong kind or size: numbers that overflow dates and ids, strings from above. */
export const nastyScalar: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, 1e300, -1e300, 2 ** 63, 0.5, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Wrong-typed containers, nested a little, and prototype keys as field names. */
export const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyScalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'toString')), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/**
 * A value shaped like `valid` and unlike it: every node is kept, replaced by a hostile value, or (objects) given
 * unknown fields. Arrays keep their length, so most samples still reach the parser's inner branches.
 */
export function shapedLike(valid: unknown, keep = 5): fc.Arbitrary<unknown> {
  const mutated = (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: keep, arbitrary: arb }, { weight: 1, arbitrary: nastyValue });
  if (Array.isArray(valid)) return mutated(fc.tuple(...valid.map((v) => shapedLike(v, keep))));
  if (valid !== null && typeof valid === 'object') {
    const fields = Object.fromEntries(Object.entries(valid).map(([k, v]) => [k, shapedLike(v, keep)]));
    return mutated(fc.tuple(fc.record(fields), fc.dictionary(fc.string({ maxLength: 6 }), nastyScalar, { maxKeys: 2 }))
      .map(([known, extra]) => ({ ...extra, ...known })));
  }
  return mutated(fc.constant(valid));
}

/** Bodies no JSON parser should accept, or only with care: deep nesting, invalid UTF-8, truncation, junk. */
export const DEEP_ARRAYS = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
export const DEEP_OBJECTS = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;

/** `{"text":"<bytes>"}` where the bytes are not UTF-8 (overlong, lone continuation, surrogate encoded, 0xff). */
export function invalidUtf8Json(field = 'text', prefix = '{'): fc.Arbitrary<Buffer> {
  const bad = fc.constantFrom([0xff], [0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82]);
  return fc.tuple(fc.string({ maxLength: 10 }), bad).map(([text, bytes]) => Buffer.concat([
    Buffer.from(`${prefix}"${field}":"${text.replace(/["\\]/g, '')}`), Buffer.from(bytes), Buffer.from('"}'),
  ]));
}

export const junkBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom(DEEP_ARRAYS, DEEP_OBJECTS, '', '{', 'null', '[]', '"x"', '1e999', '{"a":1,"a":2}', '\ufeff{}').map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
  invalidUtf8Json(),
);

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Raw HTTP with exact bytes (supertest re-encodes strings, which would hide invalid UTF-8). */
export async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<Answer> {
  const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body, redirect: 'manual' });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/**
 * The property every hostile request must satisfy: never a 5xx; a refusal is a 4xx in JSON with an error code and a
 * message a person can act on. Returns the answer for further checks; throws with the answer when it fails.
 */
export function expectCleanJsonAnswer(answer: Answer, what: string): Answer {
  const fail = (why: string) => new Error(`${what}: ${why}: ${answer.status} ${answer.contentType} ${answer.text.slice(0, 300)}`);
  if (answer.status >= 500) throw fail('server error');
  if (answer.status >= 400) {
    if (!answer.contentType.includes('application/json')) throw fail('refusal is not JSON');
    // Our `{ error: { code, message } }`, the `{ error, code }` Zendesk shows its agents, or HubSpot's `{ code, message }`.
    const body = JSON.parse(answer.text) as { code?: unknown; message?: unknown; error?: string | { code?: unknown; message?: unknown } };
    const code = typeof body.error === 'object' ? body.error.code : body.code;
    const message = typeof body.error === 'object' ? body.error.message : body.error ?? body.message;
    if (typeof code !== 'string' || typeof message !== 'string' || message.length < 8) throw fail('refusal without a code and a clear message');
  }
  return answer;
}

/** The server still answers after the run: no crash, no wedged event loop. */
export async function expectAlive(baseUrl: string): Promise<void> {
  const health = await send(`${baseUrl}/healthz`, { method: 'GET' });
  if (health.status !== 200) throw new Error(`/healthz answered ${health.status} after the hostile run`);
}

/** numRuns kept modest so the whole folder stays under a minute on a shared 2-core machine. */
export const RUNS = { numRuns: 40 } as const;
