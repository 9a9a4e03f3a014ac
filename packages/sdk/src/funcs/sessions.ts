import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type { CreateSessionParams, RevokeSessionsParams, RevokedSessionsInfo, SessionToken } from '../types.js';

/**
 * A short-lived session for one end user (the browser flow): its `id` (to end it), `token` and
 * `expiresAt`. A lost answer's session is unused and expires, so it is retried.
 */
export const sessionsCreate = (core: KeymintCore, params: CreateSessionParams, options?: RequestOptions): Promise<Result<SessionToken>> =>
  send(core, { method: 'POST', path: '/v1/sessions', body: params, retry: 'safe' }, options);

/** Ends a session at once, on every instance (the user signed out). */
export const sessionsDelete = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<void>> =>
  send(core, { method: 'DELETE', path: `/v1/sessions/${encodeURIComponent(id)}`, retry: 'safe' }, options);

/** Ends every session of one end user; answers how many ended. Repeating it ends nothing more, so it is retried. */
export const sessionsRevokeForUser = (core: KeymintCore, userId: string, options?: RequestOptions): Promise<Result<RevokedSessionsInfo>> => {
  const body: RevokeSessionsParams = { userId };
  return send(core, { method: 'POST', path: '/v1/sessions/revoke', body, retry: 'safe' }, options);
};
