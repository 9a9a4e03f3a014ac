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

/** Parses a JSON body text; answers Fastify's own errors for empty and invalid JSON. */
export type JsonBodyParser = (text: string, done: (error: Error | null, body?: unknown) => void) => void;

/**
 * Refuses NUL characters anywhere in a request (400 naming `body` or `url`). PostgreSQL text
 * cannot hold them, and no identifier, name or secret of ours contains one; refusing them for
 * every store keeps SQLite and PostgreSQL answering alike. The body check walks the parsed
 * JSON only when its text holds the escape `\u0000`, so ordinary requests pay one substring
 * search. Answers the JSON body parser it installs, for the verify fast lane to parse alike.
 */
export function installNulGuard(app: FastifyInstance): JsonBodyParser {
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.url.includes('%00') ? invalid('url', 'must not contain NUL characters') : undefined);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parse: JsonBodyParser = (text, done) =>
    parseJson(undefined as never, text, (error: Error | null, body?: unknown) => {
      if (!error && text.includes('\\u0000') && holdsNul(body)) return done(invalid('body', 'must not contain NUL characters'));
      done(error, body);
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => parse(text as string, done));
  return parse;
}
