import type { GetUsageParams, KeyUsage } from '../contract-pending.js';
import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';

/** Verification counts of one key per hour or day, split by outcome code. */
export const usageGet = (core: KeymintCore, keyId: string, params: GetUsageParams = {}, options?: RequestOptions): Promise<Result<KeyUsage>> =>
  send(core, { method: 'GET', path: `/v1/keys/${encodeURIComponent(keyId)}/usage`, query: params, retry: 'safe' }, options);
