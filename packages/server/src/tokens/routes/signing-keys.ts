import { SigningKey, SigningKeyList } from '@keymint/api';
import { auditEvent } from '../../audit/audit-event.js';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { TokenServices } from '../token-services.js';

const common = { tags: ['signing-keys'], errors: 'contract' as const };

/** `GET /v1/signing-keys`: kid, algorithm and dates of every token signing key; never private material. */
export const listSigningKeys = ({ ring }: TokenServices) =>
  defineEndpoint({
    ...common,
    method: 'GET',
    path: '/v1/signing-keys',
    operationId: 'listSigningKeys',
    summary: 'List token signing keys',
    description: 'Lists the kid, algorithm and dates of every key that signs access tokens; never their private material.',
    access: { permission: 'root_keys:read' },
    schema: { response: { 200: SigningKeyList, ...errorResponses } },
    handler: async () => ({ data: await ring.list() }),
  });

/** `POST /v1/signing-keys/rotate`: a new key signs; the old one stays in the JWKS until its tokens expire. */
export const rotateSigningKey = ({ ring, clock }: TokenServices) =>
  defineEndpoint({
    ...common,
    method: 'POST',
    path: '/v1/signing-keys/rotate',
    operationId: 'rotateSigningKey',
    summary: 'Rotate the token signing key',
    description: 'Makes a new key sign access tokens; the old one stays in the JWKS until the tokens it signed expire.',
    access: { permission: 'root_keys:write' },
    schema: { response: { 200: SigningKey, ...errorResponses } },
    handler: (call) =>
      ring.rotate((from, to) =>
        auditEvent(
          requestActor(call),
          'signing_key.rotated',
          {},
          { before: from === null ? null : { kid: from }, after: { kid: to.kid, alg: to.alg } },
          clock.now(),
        ),
      ),
  });
