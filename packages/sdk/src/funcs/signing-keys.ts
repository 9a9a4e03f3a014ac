import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type { SigningKeyInfo, SigningKeyPage } from '../types.js';

/** Every key that signs or signed access tokens, newest first (public facts only). */
export const signingKeysList = (core: KeymintCore, options?: RequestOptions): Promise<Result<SigningKeyPage>> =>
  send(core, { method: 'GET', path: '/v1/signing-keys', retry: 'safe' }, options);

/** A new key signs from now on; the old one stays in the JWKS until its tokens expire. Retried only on 429. */
export const signingKeysRotate = (core: KeymintCore, options?: RequestOptions): Promise<Result<SigningKeyInfo>> =>
  send(core, { method: 'POST', path: '/v1/signing-keys/rotate', retry: 'refused' }, options);
