import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type {
  BulkRevokeParams,
  BulkRevokeResponse,
  ExportedApiKey,
  ExportKeysPageInfo,
  ExportKeysParams,
  ImportKeyParams,
  ImportKeysResponse,
} from '../types.js';

/**
 * Imports up to 1,000 keys issued elsewhere (each by `secret` or `hash`): per item, by index, the
 * new id or why it failed. Retried: a retry cannot import a key twice (its digest is taken), it
 * answers those items `conflict` instead.
 */
export const keysImport = (core: KeymintCore, keys: ImportKeyParams[], options?: RequestOptions): Promise<Result<ImportKeysResponse>> =>
  send(core, { method: 'POST', path: '/v1/keys/import', body: { keys }, retry: 'safe' }, options);

/** Revokes every key matching all the selectors given (`ids`, `organizationId`, `userId`, `query`) that the caller may manage; `dryRun` counts them. */
export const keysBulkRevoke = (core: KeymintCore, selector: BulkRevokeParams, options?: RequestOptions): Promise<Result<BulkRevokeResponse>> =>
  send(core, { method: 'POST', path: '/v1/keys/bulk-revoke', body: selector, retry: 'safe' }, options);

/** One page of the keys that still verify, as import items with their stored digests (root keys with `keys:write` only). */
export const keysExport = (core: KeymintCore, params: ExportKeysParams = {}, options?: RequestOptions): Promise<Result<ExportKeysPageInfo>> =>
  send(core, { method: 'GET', path: '/v1/keys/export', query: params, retry: 'safe' }, options);

/** Every exported key, page after page (throws a failed page's error). */
export async function* keysExportAll(
  core: KeymintCore,
  params: ExportKeysParams = {},
  options?: RequestOptions,
): AsyncGenerator<ExportedApiKey, void, undefined> {
  for (let after = params.after; ;) {
    const result = await keysExport(core, { ...params, after }, options);
    if (!result.ok) throw result.error;
    yield* result.value.data;
    if (result.value.nextAfter === null) return;
    after = result.value.nextAfter;
  }
}
