import { createHash, hash, timingSafeEqual } from 'node:crypto';

/**
 * SHA-256 hex digest: secrets are ≥ 256-bit random, so a fast hash is the right tool (no bcrypt).
 * One-shot `crypto.hash` (no Hash object): every verify digests two credentials.
 */
export function digestSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time equality of two strings of any length (compares their SHA-256 digests). */
export function sameText(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
