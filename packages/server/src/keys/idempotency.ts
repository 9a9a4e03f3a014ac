import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The sealed copy of a create answer kept for Idempotency-Key replays. The answer holds a
 * secret, so it is encrypted (AES-256-GCM) with a key derived from the Idempotency-Key value,
 * which itself is stored only as a digest: the store alone cannot open it.
 */

const sha256 = (...parts: string[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
};

/** Where the copy is filed: the calling credential and the Idempotency-Key, hashed. */
export const idempotencyDigest = (credentialId: string, idempotencyKey: string) =>
  sha256('keymint-idempotency', credentialId, idempotencyKey);

/** A fingerprint of the request, to tell a replay from a reuse with another body. */
export const requestHash = (body: unknown) => sha256(JSON.stringify(body));

function sealingKey(credentialId: string, idempotencyKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', idempotencyKey, credentialId, 'keymint idempotent answer', 32));
}

/** Encrypts `answer`; the result is `iv ‖ tag ‖ ciphertext`, base64. */
export function seal(answer: unknown, credentialId: string, idempotencyKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(credentialId, idempotencyKey), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

/** Decrypts what `seal` made; throws if it was tampered with or the key differs. */
export function unseal<T>(sealed: string, credentialId: string, idempotencyKey: string): T {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(credentialId, idempotencyKey), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
}
