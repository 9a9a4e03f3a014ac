import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { LIST_ALL_PAGE_SIZE, paginate } from '../paging.js';
import { send } from '../transport.js';
import type { AuditEventInfo, AuditEventPage, ListAuditEventsParams } from '../types.js';

/** One page of audit events, newest first. */
export const auditList = (core: KeymintCore, params: ListAuditEventsParams = {}, options?: RequestOptions): Promise<Result<AuditEventPage>> =>
  send(core, { method: 'GET', path: '/v1/audit-events', query: params, retry: 'safe' }, options);

/** Every audit event matching the filters, page after page (throws a failed page's error). */
export const auditListAll = (
  core: KeymintCore,
  params: ListAuditEventsParams = {},
  options?: RequestOptions,
): AsyncGenerator<AuditEventInfo, void, undefined> =>
  paginate((page) => auditList(core, { pageSize: LIST_ALL_PAGE_SIZE, ...params, page }, options), params.page);
