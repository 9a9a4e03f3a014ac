import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The sealed copy of a create answer kept for Idempotency-Key replays. The answer holds a
 * secret, so it is encrypted (AES-256-GCM) with a key derived (HKDF) from the server secret and
 * the Idempotency-Key value, which itself is stored only as an HMAC under the server secret: a
 * copy of the store alone opens nothing, even when the Idempotency-Key is easy to guess.
 */

const parts = (hash: { update(data: string): unknown }, values: string[]) => {
  for (const value of values) {
    hash.update(value);
    hash.update('\0');
  }
};

/** Where the copy is filed: HMAC-SHA256 under the server secret of the calling credential and the Idempotency-Key. */
export function idempotencyDigest(serverSecret: string, credentialId: string, idempotencyKey: string): string {
  const hmac = createHmac('sha256', serverSecret);
  parts(hmac, ['keymint-idempotency', credentialId, idempotencyKey]);
  return hmac.digest('hex');
}

/** A fingerprint of the request, to tell a replay from a reuse with another body. */
export function requestHash(body: unknown): string {
  const hash = createHash('sha256');
  parts(hash, [JSON.stringify(body)]);
  return hash.digest('hex');
}

/** What opens one sealed answer: the server secret, the calling credential and the Idempotency-Key. */
export interface SealingInput {
  serverSecret: string;
  credentialId: string;
  idempotencyKey: string;
}

function sealingKey({ serverSecret, credentialId, idempotencyKey }: SealingInput): Buffer {
  const ikm = Buffer.concat([Buffer.from(serverSecret, 'utf8'), Buffer.from([0]), Buffer.from(idempotencyKey, 'utf8')]);
  return Buffer.from(hkdfSync('sha256', ikm, credentialId, 'keymint idempotent answer v2', 32));
}

/** Encrypts `answer`; the result is `iv ‖ tag ‖ ciphertext`, base64. */
export function seal(answer: unknown, input: SealingInput): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(input), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(answer), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

/** Decrypts what `seal` made; throws if it was tampered with or any input differs. */
export function unseal<T>(sealed: string, input: SealingInput): T {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(input), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
}
