import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * How signing keys' private halves rest in the store. With `KEYMINT_SECRET` set they are
 * encrypted (AES-256-GCM, key from HKDF-SHA-256 of the secret, the kid as associated data, so a
 * sealed key cannot be moved to another row); without it they are stored as they are (`plain.`)
 * and the README says to set it in production.
 */

const ENCRYPTED = 'v1.';
const PLAIN = 'plain.';

function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'keymint', 'keymint signing key encryption', 32));
}

/** Seals a private JWK (JSON text) for the row `kid`. */
export function sealPrivateKey(jwk: string, kid: string, secret: string | undefined): string {
  if (secret === undefined) return PLAIN + Buffer.from(jwk, 'utf8').toString('base64');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const data = Buffer.concat([cipher.update(jwk, 'utf8'), cipher.final()]);
  return ENCRYPTED + Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

/**
 * The private JWK of a sealed key, or null when it cannot be opened with `secret`: encrypted
 * under another secret (or none given), or stored in the clear while a secret is now set (it
 * is then replaced by an encrypted key).
 */
export function openPrivateKey(sealed: string, kid: string, secret: string | undefined): string | null {
  if (sealed.startsWith(PLAIN)) return secret === undefined ? Buffer.from(sealed.slice(PLAIN.length), 'base64').toString('utf8') : null;
  if (!sealed.startsWith(ENCRYPTED) || secret === undefined) return null;
  const raw = Buffer.from(sealed.slice(ENCRYPTED.length), 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(kid, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
