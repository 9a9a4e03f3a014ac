import type { RequestHandler } from 'express';
import type { ApiKey } from '../types.js';
import { createVerifier, firstHeader, type KeymintMiddlewareOptions } from './verify-core.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified API key, set by the Keymint middleware. */
      keymint?: ApiKey;
    }
  }
}

export type { KeymintMiddlewareOptions } from './verify-core.js';

/** Express middleware: verifies the request's API key; sets `req.keymint` or answers 401/403/429/503. */
export function keymint(options: KeymintMiddlewareOptions): RequestHandler {
  const verify = createVerifier(options);
  return async (req, res, next) => {
    const decision = await verify((name) => firstHeader(req.headers[name]));
    res.set(decision.headers);
    if (!decision.ok) {
      res.status(decision.status).json(decision.body);
      return;
    }
    req.keymint = decision.key;
    next();
  };
}
