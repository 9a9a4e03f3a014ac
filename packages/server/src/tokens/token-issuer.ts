import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenRequest, TokenResponse } from '@keymint/api';
import type { Clock } from '../clock.js';
import type { TokenConfig } from '../config.js';
import type { KeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { authenticateClient, clientCredentials, type ClientCredentials } from './client-auth.js';
import type { FailureThrottle } from '../auth/failure-throttle.js';
import { invalidClient, invalidRequest, OAuthError } from './oauth-error.js';
import type { SigningKeyRing } from './signing-key-ring.js';

/** Everything the issuer needs, passed in. */
export interface TokenIssuerDeps {
  store: Store;
  clock: Clock;
  config: TokenConfig;
  ring: SigningKeyRing;
  /** Failed client authentications per (IP, client_id) and per IP. */
  throttles: { pair: FailureThrottle; ip: FailureThrottle };
}

/** The scopes a token gets: the requested ones (all must be the key's) or, if none asked, all the key's. */
function grantedScopes(key: KeyRecord, scope: string | undefined): string[] {
  const requested = scope === undefined ? [] : [...new Set(scope.split(' ').filter(Boolean))];
  if (requested.length === 0) return key.scopes;
  const extra = requested.filter((s) => !key.scopes.includes(s));
  if (extra.length) throw new OAuthError(400, 'invalid_scope', `The key does not hold: ${extra.join(' ')}.`.slice(0, 300));
  return requested;
}

/** The audience asked for (`audience` or RFC 8707 `resource`), which must be allowed; default the configured one. */
function audienceOf(config: TokenConfig, body: TokenRequest): string {
  const { audience, resource } = body;
  if (audience !== undefined && resource !== undefined && audience !== resource) throw invalidRequest('audience and resource differ.');
  const asked = audience ?? resource;
  if (asked === undefined) return config.audience;
  if (config.audiences.includes(asked)) return asked;
  throw audience !== undefined
    ? invalidRequest('audience is not an allowed audience.')
    : new OAuthError(400, 'invalid_target', 'resource is not an allowed audience.');
}

/**
 * The client_credentials grant (RFC 6749 §4.4): authenticates an API key by id and secret and
 * answers a signed RFC 9068 access token whose `exp` is never later than the key's `expires_at`.
 */
export class TokenIssuer {
  constructor(private readonly deps: TokenIssuerDeps) {}

  async grant(body: TokenRequest, authorization: string | undefined, ip: string): Promise<TokenResponse> {
    const { store, clock, config } = this.deps;
    if (body.grant_type !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
    const credentials = clientCredentials(authorization, body);
    const key = await authenticateClient(store, clock, credentials);
    if (!key) throw this.failed(credentials, ip);
    const scopes = grantedScopes(key, body.scope);
    const audience = audienceOf(config, body);
    const signer = await this.deps.ring.current();
    const now = Math.floor(clock.now() / 1000);
    const exp = key.expiresAt === null ? now + config.ttlSeconds : Math.min(now + config.ttlSeconds, Math.floor(key.expiresAt / 1000));
    const scope = scopes.join(' ');
    const claims: Record<string, string> = { client_id: key.id, scope };
    if (key.organizationId !== null) claims.org_id = key.organizationId;
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' })
      .setIssuer(config.issuer)
      .setSubject(key.userId ?? key.organizationId!)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(signer.key);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: exp - now, scope };
  }

  /**
   * The answer to a failed client authentication, counted per (IP, client_id) and per IP. It is
   * decided only after the credentials were checked, so valid credentials are never refused by
   * these counts, however many failures name the same client_id; over either limit it is 429
   * (and not counted again, so a locked-out subject is free once its window passes).
   */
  private failed(credentials: ClientCredentials, ip: string): OAuthError {
    const { pair, ip: perIp } = this.deps.throttles;
    const pairSubject = JSON.stringify([ip, credentials.clientId]);
    const waitMs = Math.max(pair.retryAfterMs(pairSubject), perIp.retryAfterMs(ip));
    if (waitMs > 0) {
      return new OAuthError(429, 'rate_limited', 'Too many failed client authentications; try again later.', {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      });
    }
    pair.fail(pairSubject);
    perIp.fail(ip);
    return invalidClient(credentials.basic);
  }
}
