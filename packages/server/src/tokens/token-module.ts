import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeymintApp } from '../http/types.js';
import type { Store } from '../store/store.js';
import { FailureThrottle } from '../auth/failure-throttle.js';
import { AccessTokenVerifier } from './access-token-verifier.js';
import { oauthContext } from './oauth-context.js';
import { introspectToken } from './routes/introspect-token.js';
import { issueToken } from './routes/issue-token.js';
import { jwks } from './routes/jwks.js';
import { serverMetadata } from './routes/server-metadata.js';
import { listSigningKeys, rotateSigningKey } from './routes/signing-keys.js';
import { SigningKeyRing } from './signing-key-ring.js';
import { TokenIssuer } from './token-issuer.js';
import type { TokenRoute, TokenServices } from './token-services.js';

/** The OAuth endpoints: form bodies and RFC 6749 errors, in their own context. */
const oauthRoutes: TokenRoute[] = [issueToken, introspectToken];
/** The JSON endpoints of the module: discovery, JWKS, signing-key management. */
const plainRoutes: TokenRoute[] = [serverMetadata, jwks, listSigningKeys, rotateSigningKey];

/** The client-credentials module. */
export interface Tokens {
  services: TokenServices;
  /** Registers every route of the module on the app. */
  register(app: KeymintApp): Promise<void>;
}

/** Builds the module on the app's parts (the signing key is made or checked on first use). */
export function createTokens(deps: { config: Config; store: Store; clock: Clock; logger: FastifyBaseLogger; secret: string | undefined }): Tokens {
  const { config, store, clock } = deps;
  const tokenConfig = config.tokens;
  const ring = new SigningKeyRing(store, clock, tokenConfig, deps.logger, deps.secret);
  const throttles = {
    pair: new FailureThrottle(clock, tokenConfig.failuresPerClient, tokenConfig.failureWindowMs),
    ip: new FailureThrottle(clock, tokenConfig.failuresPerIp, tokenConfig.failureWindowMs),
  };
  const services: TokenServices = {
    issuer: new TokenIssuer({ store, clock, config: tokenConfig, ring, throttles }),
    verifier: new AccessTokenVerifier(store, clock, tokenConfig, ring),
    ring,
    config: tokenConfig,
    clock,
    publicUrl: config.publicUrl,
  };
  return {
    services,
    async register(app) {
      await app.register(oauthContext((context) => oauthRoutes.forEach((route) => route(context, services))));
      for (const route of plainRoutes) route(app, services);
    },
  };
}
