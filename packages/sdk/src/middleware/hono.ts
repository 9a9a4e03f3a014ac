import type { MiddlewareHandler } from 'hono';
import type { ApiKey } from '../types.js';
import { createVerifier, type KeymintMiddlewareOptions } from './verify-core.js';

export type { KeymintMiddlewareOptions } from './verify-core.js';

/** Hono variables the middleware sets: `c.get('keymint')` is the verified key. */
export type KeymintEnv = { Variables: { keymint: ApiKey } };

/** Hono middleware: verifies the request's API key; sets `c.get('keymint')` or answers 401/403/429/503. */
export function keymint(options: KeymintMiddlewareOptions): MiddlewareHandler<KeymintEnv> {
  const verify = createVerifier(options);
  return async (c, next) => {
    const decision = await verify((name) => c.req.header(name));
    if (!decision.ok) return c.json(decision.body, decision.status, decision.headers);
    for (const [name, value] of Object.entries(decision.headers)) c.header(name, value);
    c.set('keymint', decision.key);
    await next();
    return undefined;
  };
}
