import { KeyList, ListKeysQuery } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `GET /v1/keys`: the keys the caller may read, newest first. */
export const listKeys = ({ keys }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/keys',
    operationId: 'listKeys',
    summary: 'List API keys',
    description: 'Lists the keys the caller may read, newest first, filtered and paged by the query.',
    tags: ['keys'],
    access: { permission: 'keys:read', delegated: true },
    errors: 'contract',
    schema: { querystring: ListKeysQuery, response: { 200: KeyList, ...errorResponses } },
    handler: (call) => keys.list(requestActor(call), call.query),
  });
