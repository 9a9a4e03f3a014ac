/**
 * Checks a webhook Keymint sent, for receivers: the Standard Webhooks algorithm (HMAC-SHA256 of
 * `{webhook-id}.{webhook-timestamp}.{body}` under the `whsec_` secret's bytes, any `v1,` entry of
 * `webhook-signature` matching) with Web Crypto, so it runs wherever the SDK does. Pass the raw
 * body text exactly as received.
 *
 * Example: `const event = await verifyWebhook(await request.text(), request.headers, process.env.WEBHOOK_SECRET)`.
 */

/** A verified webhook's body. */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The message is not one the secret signed, or is too old or too new. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Messages further than this from the receiver's clock are refused (replays), as Standard Webhooks says. */
const TOLERANCE_SECONDS = 5 * 60;

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string {
  const value =
    typeof (headers as Headers).get === 'function' ? (headers as Headers).get(name) : (headers as Record<string, string | string[] | undefined>)[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text === '') throw new WebhookVerificationError(`missing ${name} header`);
  return text;
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Equal bytes, in time independent of where they differ. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Answers the event when one of `secrets` (the current one, or both during a rotation's
 * overlap) signed it and its timestamp is within 5 minutes of `now` (ms); else throws
 * `WebhookVerificationError`.
 */
export async function verifyWebhook(payload: string, headers: HeaderSource, secrets: string | readonly string[], now = Date.now()): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - seconds) > TOLERANCE_SECONDS) throw new WebhookVerificationError('timestamp outside the tolerance');
  const expected = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => {
      try {
        return fromBase64(entry.slice(3));
      } catch {
        return new Uint8Array();
      }
    });
  const content = new TextEncoder().encode(`${id}.${timestamp}.${payload}`);
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const key = await crypto.subtle.importKey('raw', fromBase64(secret.replace(/^whsec_/, '')), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const actual = new Uint8Array(await crypto.subtle.sign('HMAC', key, content));
    if (expected.some((candidate) => sameBytes(candidate, actual))) return JSON.parse(payload) as WebhookEvent;
  }
  throw new WebhookVerificationError('no signature matches');
}
