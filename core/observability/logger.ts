import pino from 'pino';

/** Keys that carry a secret wherever they appear (top level, or one object down); pino replaces them before writing. */
const secretKeys = [
  'accessToken', 'access_token', 'token', 'refreshToken', 'refresh_token', 'password', 'secret', 'authorization', 'Authorization',
  'clientSecret', 'client_secret', 'code_verifier', 'pushToken', 'calloutKey', 'apiKey', 'metadataKey', 'credentials', 'cookie',
];

/** Paths that may carry secrets anywhere in a log object; pino replaces them before writing. */
export const redactPaths = [
  ...secretKeys, ...secretKeys.map((key) => `*.${key}`),
  // Request and response headers, as HTTP clients put them on their errors.
  ...['headers', '*.headers', '*.config.headers', '*.request.headers', '*.response.headers'].flatMap((h) => [
    `${h}.authorization`, `${h}.Authorization`, `${h}.cookie`, `${h}["set-cookie"]`, `${h}["x-hub-signature-256"]`,
  ]),
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-hub-signature-256"]',
];

/**
 * Secrets inside strings, where key-based redaction cannot reach: an error message quoting a request
 * ("Authorization: Bearer …"), a URL with a token in its query, a form body sent to a token endpoint.
 */
const secretInText = /\b(Bearer|Basic)\s+[\w.~+/=-]+|\b(access_token|refresh_token|client_secret|code_verifier|verify_token|code|token|password)=[^&\s"',;]+/gi;

export function scrubText(text: string): string {
  return text.replace(secretInText, (match, scheme: string | undefined, name: string | undefined) => (scheme ? `${scheme} [redacted]` : `${name}=[redacted]`));
}

/** Every string in a log object, scrubbed; objects a few levels deep (logs are small, errors shallow). */
function scrubDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
  if (isError(value)) return serializeError(value, depth);
  // Dates, Buffers, class instances: written as they are (walking them would lose what they are).
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]));
}

// toString, not only instanceof: an error from another realm (vm, a worker) is an error too.
function isError(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** pino's error shape (type, message, stack, cause, own fields) as a plain object, scrubbed. */
function serializeError(err: Error, depth = 0): unknown {
  return scrubDeep({ ...pino.stdSerializers.err(err) }, depth);
}

export type Logger = pino.Logger;

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: (err: unknown) => (typeof err === 'object' && err !== null && isError(err) ? serializeError(err) : scrubDeep(err)) },
      formatters: { log: (object) => scrubDeep(object) as Record<string, unknown> },
      hooks: {
        // The message itself: `logger.warn('refused: ' + detail)` may quote what it should not.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  );
}
