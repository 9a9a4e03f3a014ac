import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type { CreateRootKeyParams, ListRootKeysParams, RootKeyInfo, RootKeyPage, RootKeyWithSecretInfo } from '../types.js';

const rootKeyPath = (id: string, action = '') => `/v1/root-keys/${encodeURIComponent(id)}${action}`;

/** Creates a root key (secret in this answer only). No Idempotency-Key on this route: retried only on 429. */
export const rootKeysCreate = (core: KeymintCore, params: CreateRootKeyParams, options?: RequestOptions): Promise<Result<RootKeyWithSecretInfo>> =>
  send(core, { method: 'POST', path: '/v1/root-keys', body: params, retry: 'refused' }, options);

/** One page of root keys. */
export const rootKeysList = (core: KeymintCore, params: ListRootKeysParams = {}, options?: RequestOptions): Promise<Result<RootKeyPage>> =>
  send(core, { method: 'GET', path: '/v1/root-keys', query: params, retry: 'safe' }, options);

/** One root key, without its secret. */
export const rootKeysGet = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<RootKeyInfo>> =>
  send(core, { method: 'GET', path: rootKeyPath(id), retry: 'safe' }, options);

/** A new secret for the root key; the old one stops at once. Retried only on 429. */
export const rootKeysRotate = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<RootKeyWithSecretInfo>> =>
  send(core, { method: 'POST', path: rootKeyPath(id, '/rotate'), retry: 'refused' }, options);

/** Deletes a root key. */
export const rootKeysDelete = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<void>> =>
  send(core, { method: 'DELETE', path: rootKeyPath(id), retry: 'safe' }, options);
