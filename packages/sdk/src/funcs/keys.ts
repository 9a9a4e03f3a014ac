import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { LIST_ALL_PAGE_SIZE, paginate } from '../paging.js';
import { send } from '../transport.js';
import type {
  ApiKey,
  ApiKeyPage,
  ApiKeyWithSecret,
  CreateKeyParams,
  CreditsChangeParams,
  ListKeysParams,
  RevokeKeyParams,
  RotateKeyParams,
  UpdateKeyParams,
  VerifyKeyParams,
  VerifyKeyResponse,
} from '../types.js';

const keyPath = (id: string, action = '') => `/v1/keys/${encodeURIComponent(id)}${action}`;

/** Creates a key; the answer holds its secret, this once. Retried safely: one Idempotency-Key per call. */
export const keysCreate = (core: KeymintCore, params: CreateKeyParams, options?: RequestOptions): Promise<Result<ApiKeyWithSecret>> =>
  send(core, { method: 'POST', path: '/v1/keys', body: params, retry: 'safe', idempotent: true }, options);

/** One page of keys, filtered: `{ data, totalCount, page, pageSize }`, newest first. */
export const keysList = (core: KeymintCore, params: ListKeysParams = {}, options?: RequestOptions): Promise<Result<ApiKeyPage>> =>
  send(core, { method: 'GET', path: '/v1/keys', query: params, retry: 'safe' }, options);

/** Every key matching the filters, page after page (throws a failed page's error). */
export const keysListAll = (core: KeymintCore, params: ListKeysParams = {}, options?: RequestOptions): AsyncGenerator<ApiKey, void, undefined> =>
  paginate((page) => keysList(core, { pageSize: LIST_ALL_PAGE_SIZE, ...params, page }, options), params.page);

/** One key, without its secret. */
export const keysGet = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<ApiKey>> =>
  send(core, { method: 'GET', path: keyPath(id), retry: 'safe' }, options);

/** Changes the given fields. Retried only on 429 (a PATCH that may have happened is not repeated). */
export const keysUpdate = (core: KeymintCore, id: string, params: UpdateKeyParams, options?: RequestOptions): Promise<Result<ApiKey>> =>
  send(core, { method: 'PATCH', path: keyPath(id), body: params, retry: 'refused' }, options);

/** A new secret for the key; the old one stops now or after the grace period. Retried only on 429. */
export const keysRotate = (core: KeymintCore, id: string, params: RotateKeyParams = {}, options?: RequestOptions): Promise<Result<ApiKeyWithSecret>> =>
  send(core, { method: 'POST', path: keyPath(id, '/rotate'), body: params, retry: 'refused' }, options);

/** Revokes the key at once, everywhere; revoking twice answers the same key, so it is retried. */
export const keysRevoke = (core: KeymintCore, id: string, params: RevokeKeyParams = {}, options?: RequestOptions): Promise<Result<ApiKey>> =>
  send(core, { method: 'POST', path: keyPath(id, '/revoke'), body: params, retry: 'safe' }, options);

/** Deletes the key and its secret (audit events remain). */
export const keysDelete = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<void>> =>
  send(core, { method: 'DELETE', path: keyPath(id), retry: 'safe' }, options);

/** Checks a secret: the outcome is data (`valid`, `code`), not an error. */
export const keysVerify = (core: KeymintCore, params: VerifyKeyParams, options?: RequestOptions): Promise<Result<VerifyKeyResponse>> =>
  send(core, { method: 'POST', path: '/v1/keys/verify', body: params, retry: 'safe' }, options);

/** Changes the key's credits atomically (after any refill due). Not retried but on 429: an increment must not happen twice. */
export const keysCredits = (core: KeymintCore, id: string, params: CreditsChangeParams, options?: RequestOptions): Promise<Result<ApiKey>> =>
  send(core, { method: 'POST', path: keyPath(id, '/credits'), body: params, retry: 'refused' }, options);
