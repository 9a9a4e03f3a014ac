import { ErrorStatus, type ErrorBody, type ErrorCode, type ErrorDetail, type OAuthErrorCode } from '@keymint/api';
import type { FastifyError } from 'fastify';
import { DomainError } from '../errors.js';
import { OAuthError } from '../tokens/oauth-error.js';
import { validationDetails } from './validation.js';

/** Fastify's own 4xx errors (parsing, limits, routing) in the contract's terms. */
const FRAMEWORK_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** An answer already decided in OAuth's terms (raised as an `OAuthError`). */
export interface OAuthFailure {
  status: number;
  error: OAuthErrorCode;
  description: string;
}

/** How one failure is answered, whatever the rendering: its code, message, details, extra headers, and what to log. */
export interface Failure {
  code: ErrorCode;
  message: string;
  /** The message without the contract's framing (validation: the field list alone), for OAuth's `error_description`. */
  description?: string;
  details?: ErrorDetail[];
  headers?: Record<string, string>;
  /** Set: the failure is the server's, logged at `error` with this message (the details stay in the log). */
  logAs?: string;
  /** Set when the failure was raised as an OAuth error. */
  oauth?: OAuthFailure;
}

/** A rendered failure: the status, the extra headers and the body to send. */
export interface RenderedFailure<B> {
  status: number;
  headers: Record<string, string> | undefined;
  body: B;
}

/** Which body a failed request gets: the contract's `{error: {code}}` or RFC 6749's `{error, error_description}`. */
export type ErrorStyle = 'contract' | 'oauth';

/** True for a failure to reach the store (connection refused, reset, timed out, pool exhausted). */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P01|57P03|08\w{3})$/.test(code)) ||
    /timeout exceeded when trying to connect|Connection terminated|connection timeout|statement timeout|Query read timeout/i.test(message)
  );
}

/** 404 for a path or id too long to name anything (the contract's words). */
export const TOO_LONG = () => new DomainError('not_found', 'No resource has a path or id this long.');

/** The contract code nearest an OAuth error's status (the contract rendering of an OAuth failure). */
const codeOfStatus = (status: number): ErrorCode =>
  (Object.entries(ErrorStatus).find(([, s]) => s === status)?.[0] as ErrorCode | undefined) ?? (status >= 500 ? 'internal' : 'invalid_request');

/**
 * The one failure mapper: domain and OAuth errors by their code, Fastify's parse, limit and
 * validation errors as 400/413/415, an unreachable store as 503, anything else as `internal`
 * with the details only in the log. Both adapters (Fastify, the raw fast lane) answer through it,
 * in the rendering their endpoint declares.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details, headers: error.headers };
  if (error instanceof OAuthError) {
    return {
      code: codeOfStatus(error.status),
      message: error.description,
      headers: error.headers,
      oauth: { status: error.status, error: error.error, description: error.description },
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  // A path parameter over its schema's length names nothing: as for one over the router's limit.
  if (fastifyError.validation && fastifyError.validationContext === 'params') return failureOf(TOO_LONG());
  if (fastifyError.validation) {
    // A `grant_type` string outside the schema's enum: RFC 6749 §5.2 names this failure apart
    // (a repeated or non-string one stays `invalid_request`).
    const grantType = fastifyError.validation.filter((e) => e.instancePath === '/grant_type');
    if (grantType.length > 0 && grantType.every((e) => e.keyword === 'enum')) {
      return failureOf(new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported.'));
    }
    const details = validationDetails(fastifyError.validation as never, fastifyError.validationContext ?? 'body');
    const description = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return { code: 'invalid_request', message: `Invalid request: ${description}`, description, details };
  }
  const status = fastifyError.statusCode;
  if (status && FRAMEWORK_CODES[status]) {
    const message = fastifyError.message ?? '';
    return { code: FRAMEWORK_CODES[status], message, details: status === 400 ? [{ field: 'body', message }] : undefined };
  }
  if (isUnavailable(error)) {
    return { code: 'unavailable', message: 'The service is temporarily unavailable.', headers: { 'retry-after': '1' }, logAs: 'store unavailable' };
  }
  return { code: 'internal', message: 'Internal error.', logAs: 'unhandled error' };
}

/** The contract's error body of `failure` for request `requestId`. */
export function errorBody(failure: Failure, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: failure.code, message: failure.message, request_id: requestId } };
  if (failure.details?.length) body.error.details = failure.details;
  return body;
}

/** The contract rendering: the code's status and `{error: {code, message, request_id, details?}}`. */
export function renderContract(failure: Failure, requestId: string): RenderedFailure<ErrorBody> {
  return { status: ErrorStatus[failure.code], headers: failure.headers, body: errorBody(failure, requestId) };
}

/** RFC 6750 §3: a 401 names the scheme and the error. */
const INVALID_TOKEN = { 'www-authenticate': 'Bearer error="invalid_token"' };

/** The OAuth answer of each contract code raised in an OAuth endpoint (auth, limits, parsing); any other: 400 `invalid_request`. */
const OAUTH_OF: Partial<Record<ErrorCode, (failure: Failure) => OAuthFailure & { headers?: Record<string, string> }>> = {
  unauthorized: (f) => ({ status: 401, error: 'invalid_token', description: f.message, headers: INVALID_TOKEN }),
  forbidden: (f) => ({ status: 403, error: 'insufficient_scope', description: f.message }),
  rate_limited: (f) => ({ status: 429, error: 'rate_limited', description: f.message }),
  unavailable: (f) => ({ status: 503, error: 'temporarily_unavailable', description: f.message }),
  internal: () => ({ status: 500, error: 'server_error', description: 'Internal error.' }),
  payload_too_large: () => ({ status: 413, error: 'invalid_request', description: 'The request body is too large.' }),
  unsupported_media_type: () => ({ status: 400, error: 'invalid_request', description: 'Send application/x-www-form-urlencoded or application/json.' }),
};

/** RFC 6749 §5.2's error body, its `error` one of the closed set. */
export interface OAuthErrorAnswer {
  error: OAuthErrorCode;
  error_description: string;
}

/** The RFC 6749 §5.2 / RFC 6750 §3 rendering: `{error, error_description}`, with `WWW-Authenticate` where the RFCs ask. */
export function renderOAuth(failure: Failure): RenderedFailure<OAuthErrorAnswer> {
  const oauth = failure.oauth ??
    OAUTH_OF[failure.code]?.(failure) ?? { status: 400, error: 'invalid_request', description: failure.description ?? failure.message };
  const extra = 'headers' in oauth ? oauth.headers : undefined;
  const headers = extra ? { ...failure.headers, ...extra } : failure.headers;
  return { status: oauth.status, headers, body: { error: oauth.error, error_description: oauth.description } };
}

/** Renders `failure` in `style` for request `requestId`. */
export function render(style: ErrorStyle, failure: Failure, requestId: string): RenderedFailure<ErrorBody | OAuthErrorAnswer> {
  return style === 'oauth' ? renderOAuth(failure) : renderContract(failure, requestId);
}
