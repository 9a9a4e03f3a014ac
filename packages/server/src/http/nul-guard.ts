import type { FastifyInstance } from 'fastify';
import { invalid } from '../errors.js';

/** True when `value` (any JSON value) holds a NUL character in a key or a string. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(holdsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key.includes('\0') || holdsNul(item));
  }
  return false;
}

/**
 * Refuses NUL characters anywhere in a request (400 naming `body` or `url`). PostgreSQL text
 * cannot hold them, and no identifier, name or secret of ours contains one; refusing them for
 * every store keeps SQLite and PostgreSQL answering alike. The body check walks the parsed
 * JSON only when its text holds the escape `\u0000`, so ordinary requests pay one substring
 * search.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.url.includes('%00') ? invalid('url', 'must not contain NUL characters') : undefined);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    parseJson(request, text as string, (error: Error | null, body?: unknown) => {
      if (!error && (text as string).includes('\\u0000') && holdsNul(body)) return done(invalid('body', 'must not contain NUL characters'), undefined);
      done(error, body);
    });
  });
}
