import formbody from '@fastify/formbody';
import type { FastifyError } from 'fastify';
import { DomainError } from '../errors.js';
import type { KeymintApp } from '../http/types.js';
import { isUnavailable } from '../http/error-handler.js';
import { validationDetails } from '../http/validation.js';
import { OAuthError } from './oauth-error.js';

/** The RFC 6749 `error` for each contract error code raised inside the OAuth context (auth hook, limits). */
const OAUTH_CODES: Record<string, [number, string]> = {
  unauthorized: [401, 'invalid_token'],
  forbidden: [403, 'insufficient_scope'],
  rate_limited: [429, 'rate_limited'],
  unavailable: [503, 'temporarily_unavailable'],
};

/** Translates whatever failed in the OAuth context into an RFC 6749 error. */
function toOAuthError(error: FastifyError | DomainError | OAuthError): OAuthError | null {
  if (error instanceof OAuthError) return error;
  if (error instanceof DomainError) {
    const [status, code] = OAUTH_CODES[error.code] ?? [400, 'invalid_request'];
    const headers = { ...error.headers, ...(status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {}) };
    return new OAuthError(status, code, error.message, headers);
  }
  if ('validation' in error && error.validation) {
    // The schema's `grant_type` enum: RFC 6749 §5.2 names this failure apart.
    if (error.validation.some((e) => e.instancePath === '/grant_type' && e.keyword === 'enum')) {
      return new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
    }
    const details = validationDetails(error.validation as never, error.validationContext ?? 'body');
    return new OAuthError(400, 'invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '));
  }
  const status = error.statusCode;
  if (status === 413) return new OAuthError(413, 'invalid_request', 'The request body is too large.');
  if (status === 415) return new OAuthError(400, 'invalid_request', 'Send application/x-www-form-urlencoded or application/json.');
  if (status !== undefined && status >= 400 && status < 500) return new OAuthError(400, 'invalid_request', error.message);
  if (isUnavailable(error)) return new OAuthError(503, 'temporarily_unavailable', 'The service is temporarily unavailable.', { 'retry-after': '1' });
  return null;
}

/**
 * An encapsulated context for the OAuth endpoints: only here are form-urlencoded bodies parsed
 * (the rest of the API keeps answering 415 to them), answers are never cached (RFC 6749 §5.1)
 * and every error is an RFC 6749 body (`{error, error_description}`), not the contract's.
 */
export function oauthContext(register: (app: KeymintApp) => void) {
  return async (app: KeymintApp) => {
    await app.register(formbody);
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return payload;
    });
    app.setErrorHandler((error: FastifyError | DomainError | OAuthError, request, reply) => {
      const oauth = toOAuthError(error);
      if (!oauth) {
        request.log.error({ err: error }, 'unhandled error');
        return reply.status(500).send({ error: 'server_error', error_description: 'Internal error.' });
      }
      return reply.status(oauth.status).headers(oauth.headers).send({ error: oauth.error, error_description: oauth.description });
    });
    register(app);
  };
}
