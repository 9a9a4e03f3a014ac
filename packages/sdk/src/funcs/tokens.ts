import type { AccessToken, ClientCredentialsParams, TokenIntrospection } from '../types.js';
import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { cachedAccessToken, send } from '../transport.js';

/**
 * An access token for an API key's client credentials (HTTP Basic to `POST /v1/oauth/token`),
 * cached on the client and minted again shortly before it expires.
 */
export const tokensClientCredentials = (core: KeymintCore, params: ClientCredentialsParams, options?: RequestOptions): Promise<Result<AccessToken>> =>
  cachedAccessToken(core, params, options);

/** RFC 7662 introspection: is this access token still good (`active`)? */
export const tokensIntrospect = (core: KeymintCore, token: string, options?: RequestOptions): Promise<Result<TokenIntrospection>> =>
  send(core, { method: 'POST', path: '/v1/oauth/introspect', form: { token }, retry: 'safe', oauth: true }, options);
