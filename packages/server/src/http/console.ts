import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The console is the server's own code and nothing else: no inline script or style, no request
 * to another origin, never framed (clickjacking a page that shows secrets).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Sent only on a request that came over HTTPS (the socket's TLS, or `X-Forwarded-Proto` from a
 * proxy `KEYMINT_TRUST_PROXY` trusts): over plain HTTP browsers ignore it, and a console reached
 * at `http://localhost` must not pin a host that has no TLS. No `includeSubDomains`: other hosts
 * under the same domain are the operator's to decide.
 */
export const CONSOLE_HSTS = 'max-age=31536000';

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/**
 * Serves the built console at `/console`: hashed files under `/console/assets/` cached for good
 * (`immutable`), and `index.html` for `/console` and every page path below it, checked each time
 * (`no-cache`), so a new release is picked up on the next load. Without a build nothing is
 * registered and `/console` is the usual 404. Scripts and stylesheets go out brotli or gzip
 * compressed when the client accepts it, from the `.br` / `.gz` files the build writes beside them.
 */
export async function installConsole(app: FastifyInstance, assetsDir: string): Promise<boolean> {
  const indexFile = join(assetsDir, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ assetsDir }, 'the console is not built (npm run build): /console is not served');
    return false;
  }
  const index = readFileSync(indexFile);
  await app.register(async (scope) => {
    scope.addHook('onSend', (request, reply, payload, done) => {
      reply.headers(SECURITY_HEADERS);
      if (request.protocol === 'https') reply.header('strict-transport-security', CONSOLE_HSTS);
      done(null, payload);
    });
    await scope.register(fastifyStatic, {
      root: join(assetsDir, 'assets'),
      prefix: '/console/assets/',
      decorateReply: false,
      index: false,
      immutable: true,
      maxAge: '365d',
      preCompressed: true,
    });
    const page = (_request: FastifyRequest, reply: FastifyReply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
    // A web page, not an API operation: out of the OpenAPI document.
    const options = { schema: { hide: true } };
    scope.get('/console', options, page);
    scope.get('/console/*', options, page);
  });
  return true;
}
