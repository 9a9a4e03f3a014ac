import { OAuthErrorBody, TokenRequest, TokenResponse } from '@keymint/api';
import { invalidRequest } from '../oauth-error.js';
import type { TokenRoute } from '../token-services.js';

/** Parameters that must never travel in a URL, which logs, proxies and browser histories keep. */
const CREDENTIAL_PARAMS = ['client_id', 'client_secret'];

/** `POST /v1/oauth/token`: the client_credentials grant; the client is an API key (id and secret). */
export const issueToken: TokenRoute = (app, { issuer }) =>
  app.post(
    '/v1/oauth/token',
    {
      config: { access: 'public' },
      schema: {
        tags: ['oauth'],
        summary: 'Exchange an API key for an access token (client credentials)',
        description:
          'Form-urlencoded or JSON. Client authentication: HTTP Basic (client_secret_basic) or client_id and client_secret in the body; ' +
          'in the query string they are refused (`invalid_request`, RFC 6749 §2.3.1).',
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: TokenRequest,
        response: { 200: TokenResponse, '4xx': OAuthErrorBody },
      },
      // Before the body is read or the credentials tried: such a request counts as no attempt.
      onRequest: (request, _reply, done) => {
        const query = request.query as Record<string, unknown>;
        const inQuery = CREDENTIAL_PARAMS.filter((name) => Object.hasOwn(query, name));
        done(inQuery.length ? invalidRequest(`${inQuery.join(' and ')} must not be sent in the query string (RFC 6749 §2.3.1).`) : undefined);
      },
    },
    async (request) => issuer.grant(request.body, request.headers.authorization, request.ip),
  );
