import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Fields that may hold a secret, wherever they appear: bodies, error contexts, query strings (`keys`: a leak report's secrets). */
const SECRET_FIELDS = ['key', 'secret', 'token', 'client_secret', 'access_token', 'password', 'keys'];
/** Headers that carry credentials (or, for Idempotency-Key, the key to a stored answer). */
const SECRET_HEADERS = ['authorization', 'x-api-key', 'cookie', 'idempotency-key'];
const CENSOR = '[redacted]';

/**
 * Paths pino replaces with `[redacted]`: credential headers (of a request logged whole, or of
 * headers logged alone or on an error) and every field that may hold a secret, at the top level
 * and two levels down (a request body, an error's `body` and one object inside either).
 */
export const REDACTED_PATHS = [
  ...['req.headers', 'headers', 'err.headers'].flatMap((at) => SECRET_HEADERS.map((name) => `${at}["${name}"]`)),
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`, `err.body.*.${field}`]),
];

const SECRET_PARAMS = new Set(SECRET_FIELDS);

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase();
  }
}

/** `url` with the values of its secret-bearing query parameters (`?client_secret=…`) replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .map((param) => {
      const name = param.split('=', 1)[0];
      return SECRET_PARAMS.has(decodedName(name)) ? `${name}=${CENSOR}` : param;
    });
  return `${url.slice(0, query + 1)}${params.join('&')}`;
}

/** What a request logged as `req` shows: Fastify's own fields, the URL's secrets redacted. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number };
}

const requestSerializer = (req: LoggedRequest) => ({
  method: req.method,
  url: req.url === undefined ? undefined : redactUrl(req.url),
  version: req.headers?.['accept-version'],
  host: req.host,
  remoteAddress: req.ip,
  remotePort: req.socket?.remotePort,
});

/** The server's logger: JSON lines, secrets redacted. Its `req` serializer replaces Fastify's. */
export function createLogger(level: LevelWithSilent, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      serializers: { req: requestSerializer },
      base: { service: 'keymint' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
