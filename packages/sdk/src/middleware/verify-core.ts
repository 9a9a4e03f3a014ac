import type { ErrorBody, ErrorCode } from '@keymint/api';
import type { KeymintCore } from '../core.js';
import type { KeymintFailure } from '../errors.js';
import { keysVerify } from '../funcs/keys.js';
import type { ApiKey, VerifyKeyResponse, VerifyOutcome } from '../types.js';
import { VerifiedCache } from './verified-cache.js';

/** Options of every verify middleware (Express, Fastify, Hono). */
export interface KeymintMiddlewareOptions {
  /** The client that asks Keymint; its credential needs the `keys:verify` permission. */
  client: KeymintCore;
  /** Scopes the key must hold, all of them (else 403). */
  scopes?: string[];
  /** Credits each request spends (default 1, as the server counts). */
  cost?: number;
  /** Limits to apply by name beyond the key's auto-applied ones, e.g. `[{ name: 'expensive', cost: 5 }]`. */
  rateLimits?: { name: string; cost?: number }[];
  /**
   * Opt-in: remember keys that verified for `ttlMs` (a few seconds), at most `maxEntries`.
   * A cached answer skips the server, so for that long a revoked key still passes and rate
   * limits and credits are not counted: keep it short, or leave it off.
   */
  cache?: { ttlMs: number; maxEntries?: number };
  /** Status for a key out of credits (`USAGE_EXCEEDED`): 429 by default, or 402 / 403 as the application prefers; never 401. */
  usageExceededStatus?: 402 | 403 | 429;
  /** Told when Keymint could not be asked (network, timeout, its own error); the request gets 503. */
  onError?: (error: KeymintFailure) => void;
}

/** Reads one request header, by lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

/** What the adapter does: let the request through with `key`, or answer `status` with `body`. Headers either way. */
export type Decision =
  | { ok: true; key: ApiKey; headers: Record<string, string> }
  | { ok: false; status: 401 | 402 | 403 | 429 | 503; headers: Record<string, string>; body: ErrorBody };

const DENIALS: Record<Exclude<VerifyOutcome, 'VALID'>, { status: 401 | 403 | 429; code: ErrorCode; message: string }> = {
  NOT_FOUND: { status: 401, code: 'unauthorized', message: 'The API key is not valid.' },
  REVOKED: { status: 401, code: 'unauthorized', message: 'The API key has been revoked.' },
  EXPIRED: { status: 401, code: 'unauthorized', message: 'The API key has expired.' },
  DISABLED: { status: 401, code: 'unauthorized', message: 'The API key is disabled.' },
  INSUFFICIENT_SCOPE: { status: 403, code: 'forbidden', message: 'The API key lacks a required scope.' },
  RATE_LIMITED: { status: 429, code: 'rate_limited', message: 'Too many requests for this API key.' },
  USAGE_EXCEEDED: { status: 429, code: 'rate_limited', message: 'This API key has no credits left.' },
};

/** The API key of a request: `Authorization: Bearer <key>`, else `x-api-key`. */
export function credentialOf(read: HeaderReader): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(read('authorization') ?? '');
  const key = match?.[1] ?? read('x-api-key')?.trim();
  return key ? key : undefined;
}

/** The first value of a Node header (`string | string[] | undefined`). */
export const firstHeader = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

const requestId = () => `req_${globalThis.crypto.randomUUID().replace(/-/g, '')}`;

function deny(status: Exclude<Decision, { ok: true }>['status'], code: ErrorCode, message: string, headers: Record<string, string>): Decision {
  const id = requestId();
  return { ok: false, status, headers: { ...headers, 'x-request-id': id }, body: { error: { code, message, request_id: id } } };
}

/**
 * Rate limit headers from a verify answer's applied limits: IETF `RateLimit-Policy` (every limit)
 * and `RateLimit` (the one closest to refusing: the exceeded one, else the least remaining), the
 * older `RateLimit-Limit/-Remaining/-Reset` trio for that limit, and `Retry-After` when refused.
 */
function rateLimitHeaders(result: VerifyKeyResponse, now: number): Record<string, string> {
  const limits = result.rateLimits ?? [];
  if (limits.length === 0) return {};
  const tightest = limits.reduce((a, b) => (a.exceeded !== b.exceeded ? (a.exceeded ? a : b) : b.remaining < a.remaining ? b : a));
  const reset = Math.max(0, Math.ceil((Date.parse(tightest.resetAt) - now) / 1000));
  const headers: Record<string, string> = {
    'ratelimit-policy': limits.map((limit) => `"${limit.name}";q=${limit.limit}`).join(', '),
    ratelimit: `"${tightest.name}";r=${tightest.remaining};t=${reset}`,
    'ratelimit-limit': String(tightest.limit),
    'ratelimit-remaining': String(tightest.remaining),
    'ratelimit-reset': String(reset),
  };
  if (result.code === 'RATE_LIMITED') headers['retry-after'] = String(Math.max(1, reset));
  return headers;
}

/**
 * The one decision every adapter makes: read the key, verify it (or find it in the opt-in
 * cache of keys that verified), and answer 401/403/429 in the contract's error body, 503 when
 * Keymint cannot be asked, or let the request through with the key.
 */
export function createVerifier(options: KeymintMiddlewareOptions): (read: HeaderReader) => Promise<Decision> {
  const cache = options.cache ? new VerifiedCache(options.cache.ttlMs, options.cache.maxEntries) : undefined;
  return async (read) => {
    const secret = credentialOf(read);
    if (!secret) return deny(401, 'unauthorized', 'An API key is required (Authorization: Bearer <key> or x-api-key).', {});
    const cached = await cache?.get(secret);
    if (cached) return { ok: true, key: cached, headers: {} };
    const result = await keysVerify(options.client, { key: secret, scopes: options.scopes, cost: options.cost, rateLimits: options.rateLimits });
    if (!result.ok) {
      options.onError?.(result.error);
      return deny(503, 'unavailable', 'The API key could not be checked; try again.', { 'retry-after': '1' });
    }
    const headers = rateLimitHeaders(result.value, Date.now());
    const { code, key } = result.value;
    if (code === 'VALID' && key) {
      await cache?.set(secret, key);
      return { ok: true, key, headers };
    }
    const denial = DENIALS[code === 'VALID' ? 'NOT_FOUND' : code];
    if (code === 'USAGE_EXCEEDED' && options.usageExceededStatus && options.usageExceededStatus !== 429) {
      return deny(options.usageExceededStatus, options.usageExceededStatus === 403 ? 'forbidden' : 'rate_limited', denial.message, headers);
    }
    return deny(denial.status, denial.code, denial.message, headers);
  };
}
