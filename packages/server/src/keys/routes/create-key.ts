import { CreateKeyBody, CreateKeyHeaders, KeyWithSecret } from '@keymint/api';
import { Answer, defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** `POST /v1/keys`: mints a key; the secret is in this answer only (and in Idempotency-Key replays). */
export const createKey = ({ keys }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys',
    operationId: 'createKey',
    summary: 'Create an API key',
    description: 'Mints an API key and answers its secret, which no later call shows again (an Idempotency-Key replay answers it once more).',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { headers: CreateKeyHeaders, body: CreateKeyBody, response: { 201: KeyWithSecret, ...errorResponses } },
    async handler(call) {
      const { key, replayed } = await keys.create(requestActor(call), call.body, call.headers['idempotency-key']);
      return new Answer(201, key, replayed ? REPLAYED : FRESH);
    },
  });

const FRESH = { 'cache-control': 'no-store' };
const REPLAYED = { 'idempotent-replayed': 'true', 'cache-control': 'no-store' };
