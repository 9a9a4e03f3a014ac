import { createHmac, randomBytes } from 'node:crypto';
import { openPrivateKey, sealPrivateKey } from '../tokens/key-sealing.js';

const PREFIX = 'whsec_';

/** A new endpoint secret: `whsec_` + base64 of 32 bytes from `crypto.randomBytes` (Standard Webhooks' form). */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/**
 * One `v1,` signature per Standard Webhooks: base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
 * under the secret's decoded bytes.
 */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The `webhook-*` headers of one attempt, signed by every secret given (two while a rotation overlaps). */
export function signedHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => signature(secret, id, timestamp, body)).join(' '),
  };
}

/**
 * Endpoint secrets rest sealed under the server secret (AES-256-GCM, `tokens/key-sealing.ts`),
 * bound to their endpoint's id, so a copy of the database alone cannot sign as the server.
 * Without a server secret they are kept as `plain.` (as signing keys are).
 */
export const sealWebhookSecret = (secret: string, endpointId: string, serverSecret: string | undefined) =>
  sealPrivateKey(secret, `webhook:${endpointId}`, serverSecret);

/** The secret `sealWebhookSecret` sealed; null when this server's secret does not open it. */
export const openWebhookSecret = (sealed: string, endpointId: string, serverSecret: string | undefined) =>
  openPrivateKey(sealed, `webhook:${endpointId}`, serverSecret);
