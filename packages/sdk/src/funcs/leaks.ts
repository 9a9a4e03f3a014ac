import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type { LeakPatternInfo, LeakReceiptInfo, ReportLeaksParams } from '../types.js';

/**
 * Reports secrets found in the open (1–100): each one this server issued is revoked (or marked,
 * on a server set to notify). Needs no permission; the answer is the same whatever was found.
 * Retried safely: a repeated report changes nothing.
 *
 * @example await km.leaks.report({ keys: [found], sourceUrl: 'https://pastebin.com/abc' })
 */
export const leaksReport = (core: KeymintCore, params: ReportLeaksParams, options?: RequestOptions): Promise<Result<LeakReceiptInfo>> =>
  send(core, { method: 'POST', path: '/v1/leaks/report', body: params, retry: 'safe' }, options);

/** The regular expression matching this server's secrets (every prefix in use), to register with scanners. Needs `keys:read`. */
export const leaksPattern = (core: KeymintCore, options?: RequestOptions): Promise<Result<LeakPatternInfo>> =>
  send(core, { method: 'GET', path: '/v1/leaks/pattern', retry: 'safe' }, options);
