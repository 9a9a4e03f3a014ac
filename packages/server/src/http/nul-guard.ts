import type { FastifyInstance } from 'fastify';
import { invalid } from '../errors.js';

/**
 * The deepest nesting of objects and arrays any request body may have. The deepest the contract
 * asks for is 19 (an import item's metadata: body, `keys`, item, then metadata's own 16 levels);
 * anything far deeper would overflow the stack of whatever walks it recursively
 * (`JSON.stringify` in the metadata size check and the store, the serializer, the checks here).
 */
export const MAX_BODY_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/** The member name a string token of `text` spells (`start`, `end`: its quotes), else `body`. */
function memberName(text: string, start: number, end: number): string {
  try {
    const name: unknown = JSON.parse(text.slice(start, end + 1));
    return typeof name === 'string' && name !== '' ? name : 'body';
  } catch {
    return 'body';
  }
}

/** How many times `char` occurs in `text`, counted up to `limit + 1`. */
function occurrences(text: string, char: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count <= limit; at = text.indexOf(char, at + 1)) count++;
  return count;
}

/**
 * True when `text` holds at most `MAX_BODY_DEPTH` of `{` and `[` in all (strings included): then
 * nothing in it can nest deeper, and the character scan is not needed. Native searches only.
 */
const fewOpeners = (text: string) => occurrences(text, '{', MAX_BODY_DEPTH) + occurrences(text, '[', MAX_BODY_DEPTH) <= MAX_BODY_DEPTH;

/**
 * The field under which `text` nests objects and arrays deeper than `MAX_BODY_DEPTH` (the
 * top-level member holding it, or `body`), or undefined. One pass over the raw text, skipping
 * strings, before anything recursive meets the value. In an object at depth 1 the last string
 * read before a value opens is that member's name.
 */
function tooDeep(text: string): string | undefined {
  if (fewOpeners(text)) return undefined;
  let depth = 0;
  let inObject = false;
  let name = -1;
  let nameEnd = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) if (text.charCodeAt(i) === BACKSLASH) i++;
      if (depth === 1) {
        name = start;
        nameEnd = i;
      }
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === 0) inObject = c === OPEN_OBJECT;
      if (++depth > MAX_BODY_DEPTH) return inObject && name >= 0 ? memberName(text, name, nameEnd) : 'body';
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return undefined;
}

/**
 * The dotted path (`metadata.tags.0`, or `body` for the whole) of the first string in `value`
 * that `bad` flags; a flagged member name is reported as the object holding it. Recursive: run
 * only on values `tooDeep` let through.
 */
function findText(value: unknown, bad: (text: string) => boolean, path = ''): string | undefined {
  if (typeof value === 'string') return bad(value) ? path || 'body' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [name, item] of Object.entries(value)) {
    if (bad(name)) return path || 'body';
    const found = findText(item, bad, path ? `${path}.${name}` : name);
    if (found !== undefined) return found;
  }
  return undefined;
}

const hasNul = (text: string) => text.includes('\0');
/** A surrogate not part of a pair: JSON text can spell one (`"\ud83d"`), UTF-8 cannot. */
const hasLoneSurrogate = (text: string) => /\p{Cs}/u.test(text);
/** The JSON escape of a surrogate, which the text holds before any parsed string can hold one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** The first rule the body breaks, as the 400 naming its field, or undefined. */
function badText(text: string, body: unknown): Error | undefined {
  const nul = text.includes('\\u0000') ? findText(body, hasNul) : undefined;
  if (nul !== undefined) return invalid(nul, 'must not contain NUL characters');
  const lone = SURROGATE_ESCAPE.test(text) ? findText(body, hasLoneSurrogate) : undefined;
  if (lone !== undefined) return invalid(lone, 'must not contain unpaired UTF-16 surrogates (\\ud800-\\udfff without its pair)');
  return undefined;
}

const BYTE_ORDER_MARK = 0xfeff;
const INVALID = Symbol('invalid JSON');

/**
 * True when `JSON.parse` alone reads `text` exactly as the full checks would: no escape at all
 * (so no `\u0000`, no escaped surrogate and no escaped spelling of a poisoning name), no literal
 * `__proto__` or `constructor` (the names Fastify's parser refuses), no byte order mark (which
 * it strips) and not empty (its own error). Three native substring searches; most bodies pass.
 */
const isPlain = (text: string) =>
  text.length > 0 && text.charCodeAt(0) !== BYTE_ORDER_MARK && !text.includes('\\') && !text.includes('__proto__') && !text.includes('constructor');

/** Parses a JSON body text; answers Fastify's own errors for empty and invalid JSON. */
export type JsonBodyParser = (text: string, done: (error: Error | null, body?: unknown) => void) => void;

/**
 * Installs the one JSON body parser (the verify fast lane is handed it, to parse alike) and
 * refuses, with a 400 naming the field:
 * - nesting deeper than `MAX_BODY_DEPTH`, read from the raw text before parsing;
 * - NUL characters, in the body or the URL: PostgreSQL text cannot hold them, and no
 *   identifier, name or secret of ours contains one; refusing them for every store keeps SQLite
 *   and PostgreSQL answering alike;
 * - unpaired UTF-16 surrogates: stored, they come back as U+FFFD, so a read would differ from
 *   what was accepted. Only a JSON escape can spell one: the body's bytes are decoded as UTF-8
 *   first, which turns invalid bytes (an encoded surrogate included) into U+FFFD, as it does in
 *   query strings and headers, which therefore cannot carry one either.
 * The string checks walk the parsed body only when its text holds the escape they look for
 * (`\u0000`, `\ud800`-`\udfff`), and a body with no escape and no poisoning name skips Fastify's
 * parser for `JSON.parse` (`isPlain`), so ordinary requests pay a few substring searches.
 */
export function installNulGuard(app: FastifyInstance): JsonBodyParser {
  app.addHook('onRequest', (request, _reply, done) => {
    done(request.url.includes('%00') ? invalid('url', 'must not contain NUL characters') : undefined);
  });
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parse: JsonBodyParser = (text, done) => {
    const deep = tooDeep(text);
    if (deep !== undefined) return done(invalid(deep, `must not nest objects and arrays deeper than the ${MAX_BODY_DEPTH} levels a body may hold`));
    if (isPlain(text)) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = INVALID;
      }
      // Invalid JSON takes the full path below, which answers Fastify's own error for it.
      if (body !== INVALID) return done(null, body);
    }
    parseJson(undefined as never, text, (error: Error | null, body?: unknown) => {
      if (error) return done(error);
      const bad = badText(text, body);
      if (bad) return done(bad);
      done(null, body);
    });
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => parse(text as string, done));
  return parse;
}
