import { Jwks } from '@keymint/api';
import type { TokenRoute } from '../token-services.js';

/** `GET /.well-known/jwks.json`: the public keys tokens are checked with (active, and retired ones whose tokens live). */
export const jwks: TokenRoute = (app, { ring }) =>
  app.get(
    '/.well-known/jwks.json',
    { config: { access: 'public' }, schema: { tags: ['oauth'], summary: 'Token signing keys (JWKS)', response: { 200: Jwks } } },
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(await ring.jwks()),
  );
