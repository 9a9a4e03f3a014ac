import { OAuthErrorBody, TokenRequest, TokenResponse } from '@keymint/api';
import type { onRequestHookHandler } from 'fastify';
import { defineEndpoint } from '../../http/endpoint.js';
import { invalidRequest } from '../oauth-error.js';
import type { TokenServices } from '../token-services.js';

/** Parameters that must never travel in a URL, which logs, proxies and browser histories keep. */
const CREDENTIAL_PARAMS = ['client_id', 'client_secret'];

/** Before the body is read or the credentials tried: such a request counts as no attempt. */
const refuseCredentialsInQuery: onRequestHookHandler = (request, _reply, done) => {
  const query = request.query as Record<string, unknown>;
  const inQuery = CREDENTIAL_PARAMS.filter((name) => Object.hasOwn(query, name));
  done(inQuery.length ? invalidRequest(`${inQuery.join(' and ')} must not be sent in the query string (RFC 6749 §2.3.1).`) : undefined);
};

/** `POST /v1/oauth/token`: the client_credentials grant; the client is an API key (id and secret). */
export const issueToken = ({ issuer }: TokenServices) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/oauth/token',
    operationId: 'issueToken',
    summary: 'Exchange an API key for an access token (client credentials)',
    description:
      'Form-urlencoded or JSON. Client authentication: HTTP Basic (client_secret_basic) or client_id and client_secret in the body; ' +
      'in the query string they are refused (`invalid_request`, RFC 6749 §2.3.1).',
    tags: ['oauth'],
    access: 'public',
    security: [{ basic: [] }],
    errors: 'oauth',
    consumes: ['application/x-www-form-urlencoded', 'application/json'],
    schema: { body: TokenRequest, response: { 200: TokenResponse, '4xx': OAuthErrorBody } },
    onRequest: refuseCredentialsInQuery,
    handler: (call) => issuer.grant(call.body, call.headers.authorization, call.ip),
  });
