import { errors, jwtVerify, type JWTPayload } from 'jose';
import type { IntrospectResponse } from '@keymint/api';
import type { AccessTokenPrincipal } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { TOKEN_ALGS, type TokenConfig } from '../config.js';
import { statusOf } from '../store/key-status.js';
import type { KeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { SigningKeyRing } from './signing-key-ring.js';

/** The claims of a verified access token. */
interface AccessClaims extends JWTPayload {
  client_id: string;
  scope: string;
  org_id?: string;
}

const isClaims = (payload: JWTPayload): payload is AccessClaims =>
  typeof payload.client_id === 'string' && typeof payload.scope === 'string' && typeof payload.sub === 'string';

/**
 * Checks access tokens for Keymint itself: the signature against the ring's keys, `typ`,
 * `iss`, `aud`, `exp` at the injected clock, then the key the token came from, read from the
 * store on every check so that a revoke, disable or delete ends its tokens at once (a rotation
 * does not: tokens outlive the secret that obtained them).
 */
export class AccessTokenVerifier {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: TokenConfig,
    private readonly ring: SigningKeyRing,
  ) {}

  /** The principal of a token for Keymint's own API (audience `KEYMINT_TOKEN_AUDIENCE`), or null. */
  async principal(token: string): Promise<AccessTokenPrincipal | null> {
    const verified = await this.verify(token, this.config.audience);
    if (!verified) return null;
    const { key, scopes } = verified;
    return { type: 'access_token', id: key.id, organizationId: key.organizationId, userId: key.userId, scopes: new Set(scopes) };
  }

  /** RFC 7662: the token's claims when active (`scope`: those its key still holds), else `{active: false}` and nothing more. */
  async introspect(token: string): Promise<IntrospectResponse> {
    const verified = await this.verify(token, this.config.audiences);
    if (!verified) return { active: false };
    const { claims, scopes } = verified;
    const answer: IntrospectResponse = {
      active: true,
      scope: scopes.join(' '),
      client_id: claims.client_id,
      sub: claims.sub,
      aud: Array.isArray(claims.aud) ? claims.aud[0] : claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      token_type: 'Bearer',
    };
    if (claims.org_id !== undefined) answer.org_id = claims.org_id;
    return answer;
  }

  private async keyFor(kid: string | undefined, alg: string) {
    const key = kid === undefined ? null : await this.ring.verificationKey(kid, alg);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  }

  /** The token's claims, its key (active) and its scopes that the key still holds; null when it does not check out. */
  private async verify(token: string, audience: string | string[]): Promise<{ claims: AccessClaims; key: KeyRecord; scopes: string[] } | null> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keyFor(header.kid, header.alg), {
        algorithms: [...TOKEN_ALGS],
        typ: 'at+jwt',
        issuer: this.config.issuer,
        audience,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return null;
      throw error;
    }
    if (!isClaims(payload)) return null;
    const key = await this.store.getKey(payload.client_id);
    if (!key || statusOf(key, this.clock.now()) !== 'active') return null;
    return { claims: payload, key, scopes: payload.scope.split(' ').filter((scope) => key.scopes.includes(scope)) };
  }
}
