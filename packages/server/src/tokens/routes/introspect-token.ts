import { IntrospectRequest, IntrospectResponse, OAuthErrorBody } from '@keymint/api';
import { defineEndpoint } from '../../http/endpoint.js';
import type { TokenServices } from '../token-services.js';

/** `POST /v1/oauth/introspect` (RFC 7662): online check of an access token; inactive once its key is revoked or deleted. */
export const introspectToken = ({ verifier }: TokenServices) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/oauth/introspect',
    operationId: 'introspectToken',
    summary: 'Introspect an access token',
    description: 'Answers whether an access token is active (RFC 7662), and for which key; inactive once the key is revoked or deleted.',
    tags: ['oauth'],
    access: { permission: 'keys:verify' },
    errors: 'oauth',
    consumes: ['application/x-www-form-urlencoded', 'application/json'],
    schema: { body: IntrospectRequest, response: { 200: IntrospectResponse, '4xx': OAuthErrorBody } },
    handler: (call) => verifier.introspect(call.body.token),
  });
