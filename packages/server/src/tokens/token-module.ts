import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import { FailureThrottle } from '../auth/failure-throttle.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { SigningKeyRing } from './signing-key-ring.js';
import { TokenIssuer } from './token-issuer.js';
import type { TokenServices } from './token-services.js';

/** Builds the client-credentials services on the app's parts (the signing key is made or checked on first use). */
export function createTokenServices(deps: {
  config: Config;
  store: Store;
  clock: Clock;
  logger: FastifyBaseLogger;
  secret: string | undefined;
}): TokenServices {
  const { config, store, clock } = deps;
  const tokenConfig = config.tokens;
  const ring = new SigningKeyRing(store, clock, tokenConfig, deps.logger, deps.secret);
  const throttles = {
    pair: new FailureThrottle(clock, tokenConfig.failuresPerClient, tokenConfig.failureWindowMs),
    ip: new FailureThrottle(clock, tokenConfig.failuresPerIp, tokenConfig.failureWindowMs),
  };
  return {
    issuer: new TokenIssuer({ store, clock, config: tokenConfig, ring, throttles }),
    verifier: new AccessTokenVerifier(store, clock, tokenConfig, ring),
    ring,
    config: tokenConfig,
    clock,
    publicUrl: config.publicUrl,
  };
}
