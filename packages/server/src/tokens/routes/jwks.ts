import { Jwks } from '@keymint/api';
import { defineEndpoint } from '../../http/endpoint.js';
import type { TokenServices } from '../token-services.js';

/** `GET /.well-known/jwks.json`: the public keys tokens are checked with (active, and retired ones whose tokens live). */
export const jwks = ({ ring }: TokenServices) =>
  defineEndpoint({
    method: 'GET',
    path: '/.well-known/jwks.json',
    operationId: 'getJwks',
    summary: 'Token signing keys (JWKS)',
    description: 'Answers the public keys access tokens are checked with: the active one and retired ones whose tokens may still live.',
    tags: ['oauth'],
    access: 'public',
    errors: 'contract',
    schema: { response: { 200: Jwks } },
    headers: { 'cache-control': 'public, max-age=300' },
    handler: () => ring.jwks(),
  });
