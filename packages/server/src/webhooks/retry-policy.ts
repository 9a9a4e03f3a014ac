import type { AttemptResult, Millis, WebhookMessageRecord } from '../store/store.js';

/** The waits after each failed attempt (API.md): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then the message has failed. */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** Up to this share of a wait is added at random, so endpoints back from an outage are not hit by every retry at once. */
export const JITTER = 0.1;

/** An endpoint failing every attempt for this long is disabled. */
export const FAILING_LIMIT_MS = 5 * 24 * 3_600_000;

/** What one attempt came to: the status code answered (if any) or why there was none. */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
}

/**
 * What an attempt's outcome writes (pure; `random` in [0, 1) gives the jitter): 2xx delivers;
 * 410 fails the message and disables its endpoint at once; anything else waits for the next
 * retry, or fails the message after the last, and counts toward the endpoint's 5 days.
 */
export function attemptResult(message: WebhookMessageRecord, outcome: AttemptOutcome, now: Millis, random: number): AttemptResult {
  const attempts = message.attempts + 1;
  const recorded = { attempts, lastStatusCode: outcome.statusCode, lastError: outcome.error };
  const code = outcome.statusCode;
  if (code !== null && code >= 200 && code < 300) {
    return { message: { ...recorded, status: 'delivered', nextAttemptAt: null }, endpoint: { kind: 'healthy' } };
  }
  if (code === 410) {
    return {
      message: { ...recorded, status: 'failed', nextAttemptAt: null },
      endpoint: { kind: 'disable', reason: 'The endpoint answered 410 Gone.' },
    };
  }
  const wait = RETRY_DELAYS_MS[attempts - 1];
  const endpoint = { kind: 'failing' as const, disableIfFailingSince: now - FAILING_LIMIT_MS, reason: 'Every delivery failed for 5 days.' };
  if (wait === undefined) return { message: { ...recorded, status: 'failed', nextAttemptAt: null }, endpoint };
  return { message: { ...recorded, status: 'pending', nextAttemptAt: now + Math.round(wait * (1 + JITTER * random)) }, endpoint };
}
