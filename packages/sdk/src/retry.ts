/** How a call retries: how many times, and the backoff between tries. */
export interface RetryConfig {
  /** Retries after the first try (0 turns retrying off). Default 2. */
  maxRetries: number;
  /** First backoff ceiling, ms; it doubles each retry (full jitter below it). Default 250. */
  initialDelayMs: number;
  /** Largest backoff ceiling, ms. Default 5000. */
  maxDelayMs: number;
  /** Longest `Retry-After` honoured, ms; a longer one surfaces the 429 at once. Default 60000. */
  maxRetryAfterMs: number;
}

/** `retries` as callers write it: a count, or some fields of the config. */
export type RetryOption = number | Partial<RetryConfig>;

/** Defaults of every client. */
export const DEFAULT_RETRY: RetryConfig = { maxRetries: 2, initialDelayMs: 250, maxDelayMs: 5000, maxRetryAfterMs: 60_000 };

/** Merges a client's and a call's `retries` over the defaults. */
export function retryConfig(...options: (RetryOption | undefined)[]): RetryConfig {
  let config = DEFAULT_RETRY;
  for (const option of options) {
    if (option === undefined) continue;
    config = typeof option === 'number' ? { ...config, maxRetries: option } : { ...config, ...option };
  }
  return config;
}

/**
 * Which failures a call may retry.
 * - `safe`: reads, DELETE, verify, revoke, creates with an Idempotency-Key: 429, 502, 503,
 *   504 and network errors (a repeat cannot do the work twice, or doing it twice is harmless).
 * - `refused`: PATCH, rotate, root-key create: only 429, which the server answers before it
 *   does anything; after a network error or a 5xx the work may have happened, so it is not repeated.
 */
export type RetryPolicy = 'safe' | 'refused';

const SAFE_STATUSES = new Set([429, 502, 503, 504]);

/** True when a response with this status may be tried again under the policy. */
export const retriableStatus = (status: number, policy: RetryPolicy): boolean => (policy === 'safe' ? SAFE_STATUSES.has(status) : status === 429);

/** Exponential backoff with full jitter: a uniform wait below min(max, initial·2^retry). */
export function backoffMs(retry: number, config: RetryConfig, random: () => number = Math.random): number {
  const ceiling = Math.min(config.maxDelayMs, config.initialDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
