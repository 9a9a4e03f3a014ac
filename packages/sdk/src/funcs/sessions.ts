import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type { CreateSessionParams, SessionToken } from '../types.js';

/** A short-lived token for one end user (the browser flow). A lost answer's token is unused and expires, so it is retried. */
export const sessionsCreate = (core: KeymintCore, params: CreateSessionParams, options?: RequestOptions): Promise<Result<SessionToken>> =>
  send(core, { method: 'POST', path: '/v1/sessions', body: params, retry: 'safe' }, options);
