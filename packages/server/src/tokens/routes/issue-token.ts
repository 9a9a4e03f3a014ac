import { OAuthErrorBody, TokenRequest, TokenResponse } from '@keymint/api';
import type { TokenRoute } from '../token-services.js';

/** `POST /v1/oauth/token`: the client_credentials grant; the client is an API key (id and secret). */
export const issueToken: TokenRoute = (app, { issuer }) =>
  app.post(
    '/v1/oauth/token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['oauth'],
        summary: 'Exchange an API key for an access token (client credentials)',
        description: 'Form-urlencoded or JSON. Client authentication: HTTP Basic (client_secret_basic) or client_id and client_secret in the body.',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { 200: TokenResponse, '4xx': OAuthErrorBody },
      },
    },
    async (request) => issuer.grant(request.body, request.headers.authorization, request.ip),
  );
