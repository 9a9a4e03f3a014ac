import { SigningKey, SigningKeyList } from '@keymint/api';
import { auditEvent } from '../../audit/audit-event.js';
import { bearerAuth, errorResponses } from '../../http/route-schema.js';
import { requestActor } from '../../http/types.js';
import type { TokenRoute } from '../token-services.js';

const tags = ['signing-keys'];

/** `GET /v1/signing-keys`: kid, algorithm and dates of every token signing key; never private material. */
export const listSigningKeys: TokenRoute = (app, { ring }) =>
  app.get(
    '/v1/signing-keys',
    {
      config: { access: { permission: 'root_keys:read' } },
      schema: { tags, summary: 'List token signing keys', security: bearerAuth, response: { 200: SigningKeyList, ...errorResponses } },
    },
    async () => ({ data: await ring.list() }),
  );

/** `POST /v1/signing-keys/rotate`: a new key signs; the old one stays in the JWKS until its tokens expire. */
export const rotateSigningKey: TokenRoute = (app, { ring, clock }) =>
  app.post(
    '/v1/signing-keys/rotate',
    {
      config: { access: { permission: 'root_keys:write' } },
      schema: { tags, summary: 'Rotate the token signing key', security: bearerAuth, response: { 200: SigningKey, ...errorResponses } },
    },
    async (request) =>
      ring.rotate((from, to) =>
        auditEvent(requestActor(request), 'signing_key.rotated', {}, { before: from === null ? null : { kid: from }, after: { kid: to.kid, alg: to.alg } }, clock.now()),
      ),
  );
