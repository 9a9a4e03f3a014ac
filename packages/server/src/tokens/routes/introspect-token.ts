import { IntrospectRequest, IntrospectResponse, OAuthErrorBody } from '@keymint/api';
import { bearerAuth } from '../../http/route-schema.js';
import type { TokenRoute } from '../token-services.js';

/** `POST /v1/oauth/introspect` (RFC 7662): online check of an access token; inactive once its key is revoked or deleted. */
export const introspectToken: TokenRoute = (app, { verifier }) =>
  app.post(
    '/v1/oauth/introspect',
    {
      config: { access: { permission: 'keys:verify' } },
      schema: {
        tags: ['oauth'],
        summary: 'Introspect an access token',
        security: bearerAuth,
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: IntrospectRequest,
        response: { 200: IntrospectResponse, '4xx': OAuthErrorBody },
      },
    },
    async (request) => verifier.introspect(request.body.token),
  );
