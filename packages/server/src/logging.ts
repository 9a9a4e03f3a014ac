import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/**
 * Paths pino replaces with `[redacted]`: credentials in headers and every field that may hold
 * a secret, at the top level and one level down (request bodies, error contexts).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'headers.authorization',
  ...['key', 'secret', 'token', 'client_secret', 'access_token', 'password'].flatMap((field) => [field, `*.${field}`]),
];

/** The server's logger: JSON lines, secrets redacted. */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'keymint' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
