import type { KeymintCore, RequestOptions } from '../core.js';
import type { Result } from '../errors.js';
import { send } from '../transport.js';
import type { CreditsChangeParams, OrganizationLimitsInfo, SetOrganizationLimitsParams } from '../types.js';

const organizationPath = (id: string, action: string) => `/v1/organizations/${encodeURIComponent(id)}${action}`;

/** The rate limits and credit pool every key of the organization shares. */
export const organizationsGetLimits = (core: KeymintCore, id: string, options?: RequestOptions): Promise<Result<OrganizationLimitsInfo>> =>
  send(core, { method: 'GET', path: organizationPath(id, '/limits'), retry: 'safe' }, options);

/** Replaces the fields given; a PUT of the same body twice means the same, so it is retried. */
export const organizationsSetLimits = (
  core: KeymintCore,
  id: string,
  params: SetOrganizationLimitsParams,
  options?: RequestOptions,
): Promise<Result<OrganizationLimitsInfo>> => send(core, { method: 'PUT', path: organizationPath(id, '/limits'), body: params, retry: 'safe' }, options);

/** Changes the pool atomically. Not retried but on 429: an increment must not happen twice. */
export const organizationsCredits = (
  core: KeymintCore,
  id: string,
  params: CreditsChangeParams,
  options?: RequestOptions,
): Promise<Result<OrganizationLimitsInfo>> => send(core, { method: 'POST', path: organizationPath(id, '/credits'), body: params, retry: 'refused' }, options);
