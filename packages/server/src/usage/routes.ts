import { IdParams, KeyUsage, KeyUsageQuery, Usage, UsageQuery } from '@keymint/api';
import { defineEndpoint, requestActor } from '../http/endpoint.js';
import { errorResponses } from '../http/route-schema.js';
import type { Services } from '../http/types.js';

/** `GET /v1/keys/{id}/usage`: one key's verifies per bucket; read access to the key, as for `GET /v1/keys/{id}`. */
export const getKeyUsage = ({ usage }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/keys/:id/usage',
    operationId: 'getKeyUsage',
    summary: "Get an API key's usage",
    description:
      "Counts the key's verifies per bucket (`granularity`: minute, hour (default) or day) by code, with the credits they spent; " +
      'every bucket of the range, zero ones included, oldest first. Default range: the last 24 hours.',
    tags: ['usage'],
    access: { permission: 'keys:read', delegated: true },
    errors: 'contract',
    schema: { params: IdParams, querystring: KeyUsageQuery, response: { 200: KeyUsage, ...errorResponses } },
    handler: (call) => usage.forKey(requestActor(call), call.params.id, call.query),
  });

/** `GET /v1/usage`: the verifies of every key the caller may read, per bucket, optionally grouped by key, code or tag. */
export const queryUsage = ({ usage }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/usage',
    operationId: 'queryUsage',
    summary: 'Query usage',
    description:
      'Counts the verifies of the keys the caller may read (narrowed by `organization_id` and `user_id`) per bucket, and with `group_by` ' +
      'the 100 keys, codes or tags with the most verifies. Default range: the last 24 hours; default granularity: hour.',
    tags: ['usage'],
    access: { permission: 'keys:read', delegated: true },
    errors: 'contract',
    schema: { querystring: UsageQuery, response: { 200: Usage, ...errorResponses } },
    handler: (call) => usage.query(requestActor(call), call.query),
  });
