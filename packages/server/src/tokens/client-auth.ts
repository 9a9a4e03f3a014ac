import type { Clock } from '../clock.js';
import { statusOf } from '../store/key-status.js';
import { digestSecret, sameText } from '../credentials/digest.js';
import type { KeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { invalidClient, invalidRequest } from './oauth-error.js';

/** The client credentials of a token request and how they came. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** `client_secret_basic` (HTTP Basic) rather than `client_secret_post`. */
  basic: boolean;
}

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * The client's credentials, from `Authorization: Basic` or the body, never both (RFC 6749
 * §2.3: one method per request). No credentials at all is `invalid_client`.
 */
export function clientCredentials(authorization: string | undefined, body: { client_id?: string; client_secret?: string }): ClientCredentials {
  const basic = authorization === undefined ? null : /^Basic[ ]+([A-Za-z0-9+/]+=*)\s*$/i.exec(authorization);
  if (authorization !== undefined && !basic) {
    throw /^Basic\b/i.test(authorization) ? invalidRequest('Malformed Basic credentials.') : invalidClient(false);
  }
  if (basic) {
    if (body.client_secret !== undefined) throw invalidRequest('Use one client authentication method: HTTP Basic or client_secret in the body.');
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    let pair: [string, string];
    try {
      pair = [formDecode(decoded.slice(0, colon)), formDecode(decoded.slice(colon + 1))];
    } catch {
      throw invalidRequest('Malformed Basic credentials.');
    }
    if (colon < 0 || !pair[0] || !pair[1] || pair[0].length > 64 || pair[1].length > 512) throw invalidRequest('Malformed Basic credentials.');
    if (body.client_id !== undefined && body.client_id !== pair[0]) throw invalidRequest('client_id differs from the Basic credentials.');
    return { clientId: pair[0], clientSecret: pair[1], basic: true };
  }
  if (body.client_id === undefined || body.client_secret === undefined) throw invalidClient(false);
  return { clientId: body.client_id, clientSecret: body.client_secret, basic: false };
}

/**
 * The API key the credentials open, or null. The presented secret is hashed and looked up by
 * its digest (the current secret or a rotation grace secret still in its period), exactly as
 * verify does; only then is the key's id compared with `client_id`, in constant time. An
 * unknown id and a wrong secret therefore take the same path: one digest lookup that finds
 * nothing. Disabled, expired and revoked keys open nothing.
 */
export async function authenticateClient(store: Store, clock: Clock, credentials: ClientCredentials): Promise<KeyRecord | null> {
  const found = await store.findKeyByDigest(digestSecret(credentials.clientSecret));
  if (!found || !sameText(found.key.id, credentials.clientId)) return null;
  const now = clock.now();
  if ((found.validUntil !== null && found.validUntil <= now) || statusOf(found.key, now) !== 'active') return null;
  return found.key;
}
