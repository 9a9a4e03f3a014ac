import type { Clock } from '../clock.js';
import type { TokenConfig } from '../config.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';
import type { SigningKeyRing } from './signing-key-ring.js';
import type { TokenIssuer } from './token-issuer.js';

/** What the client-credentials endpoints call. */
export interface TokenServices {
  issuer: TokenIssuer;
  verifier: AccessTokenVerifier;
  ring: SigningKeyRing;
  config: TokenConfig;
  clock: Clock;
  /** Where this server is reached, for the endpoints named in discovery metadata. */
  publicUrl: string;
}
