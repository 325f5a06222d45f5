import pino from 'pino';

/** Paths that may carry secrets anywhere in a log object; pino replaces them before writing. */
export const redactPaths = [
  'accessToken', 'access_token', 'token', 'refreshToken', 'refresh_token', 'password', 'secret', 'authorization',
  '*.accessToken', '*.access_token', '*.token', '*.refreshToken', '*.refresh_token', '*.password', '*.secret',
  '*.authorization', 'req.headers.authorization', 'req.headers["x-hub-signature-256"]', 'headers.authorization',
];

export type Logger = pino.Logger;

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    { level: options.level ?? process.env.LOG_LEVEL ?? 'info', redact: { paths: redactPaths, censor: '[redacted]' } },
    options.destination,
  );
}
