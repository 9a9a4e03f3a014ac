import type { KeyUsageInfo, KeyUsageParams, UsageInfo, UsageParams } from '../types.js';
import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';

/** One key's verifies per bucket (`granularity` minute, hour or day; default hour, the last 24 h), by code, with the credits spent. */
export const usageGet = (core: KeymintCore, keyId: string, params: KeyUsageParams = {}, options?: RequestOptions): Promise<Result<KeyUsageInfo>> =>
  send(core, { method: 'GET', path: `/v1/keys/${encodeURIComponent(keyId)}/usage`, query: params, retry: 'safe' }, options);

/** The verifies of every key the credential may read, per bucket, optionally grouped (`groupBy`: key, code or tag; the top 100). */
export const usageQuery = (core: KeymintCore, params: UsageParams = {}, options?: RequestOptions): Promise<Result<UsageInfo>> =>
  send(core, { method: 'GET', path: '/v1/usage', query: params, retry: 'safe' }, options);
