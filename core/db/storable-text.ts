/**
 * PostgreSQL `text` and `jsonb` refuse U+0000 and unpaired UTF-16 surrogates; a query carrying one fails with a
 * driver error (a 500) rather than a refusal a caller can act on. Edges that take free text check it here first.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_MESSAGE = 'contains a NUL character or an unpaired surrogate, which cannot be stored or sent';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The path (`content.body`, `sender.name`, …) of the first string or key in `value` that cannot be stored, or null.
 * Iterative, so a deeply nested value cannot overflow the stack.
 */
export function unstorablePath(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, path] = next;
    if (typeof node === 'string') {
      if (!isStorableText(node)) return path || '(value)';
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const childPath = path ? `${path}.${key}` : key;
        if (!isStorableText(key)) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

/**
 * Decodes and parses a JSON body so that every string in it can be stored in PostgreSQL. `text` and `jsonb` refuse
 * U+0000 and unpaired surrogates, which JSON can carry only as `\u0000` / `\ud800` escapes (raw bytes for them are
 * not UTF-8): those escapes become U+FFFD, so one odd character costs its own glyph, not the whole batch.
 * Bytes that are not UTF-8 are refused rather than silently replaced: the sender is wrong, and should be told.
 */
export type StorableJson = { ok: true; value: unknown } | { ok: false; code: 'INVALID_UTF8' | 'MALFORMED_JSON'; message: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** Cheap pre-check so the common body (no such escape) is not scanned twice. */
const SUSPECT = /\\u(?:0000|[dD][89a-fA-F])/;
/** A surrogate pair (kept), a NUL or lone surrogate escape (replaced), or any other escape (kept, so `\\u0000` is text). */
const ESCAPE = /\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})|\\[^u]/g;

export function parseStorableJson(raw: Buffer): StorableJson {
  let text: string;
  try {
    text = strictUtf8.decode(raw);
  } catch {
    return { ok: false, code: 'INVALID_UTF8', message: 'The body is not valid UTF-8' };
  }
  if (SUSPECT.test(text)) text = text.replace(ESCAPE, (escape) => (escape.length === 6 ? '\\ufffd' : escape));
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, code: 'MALFORMED_JSON', message: 'The body is not valid JSON' };
  }
}

/**
 * express.json's `verify`: a body that is not UTF-8 is refused with 400 rather than parsed with U+FFFD in place of
 * what the sender meant (the sender is wrong and should be told, as on Meta's webhook).
 */
export function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  try {
    strictUtf8.decode(body);
  } catch {
    throw Object.assign(new Error('The body is not valid UTF-8'), { status: 400 });
  }
}
