import { ErrorStatus, type ErrorBody, type ErrorCode, type ErrorDetail } from '@keymint/api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, invalid } from '../errors.js';
import { validationDetails } from './validation.js';

/** Fastify's own 4xx errors (parsing, limits, routing) in the contract's terms. */
const FRAMEWORK_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** How one failure is answered: the contract's code, message and details, extra headers, and what to log. */
export interface Failure {
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  headers?: Record<string, string>;
  /** Set: the failure is the server's, logged at `error` with this message (the details stay in the log). */
  logAs?: string;
}

/** The contract's error body of `failure` for request `requestId`. */
export function errorBody(failure: Failure, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: failure.code, message: failure.message, request_id: requestId } };
  if (failure.details?.length) body.error.details = failure.details;
  return body;
}

/** Sends the contract's error body. */
export function sendError(request: FastifyRequest, reply: FastifyReply, failure: Failure) {
  if (failure.headers) reply.headers(failure.headers);
  return reply.status(ErrorStatus[failure.code]).type('application/json; charset=utf-8').send(errorBody(failure, request.id));
}

/** True for a failure to reach the store (connection refused, reset, timed out, pool exhausted). */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : '';
  return (
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P01|57P03|08\w{3})$/.test(code)) ||
    /timeout exceeded when trying to connect|Connection terminated|connection timeout|statement timeout|Query read timeout/i.test(message)
  );
}

/**
 * The one place failures become HTTP answers: domain errors by their code, Fastify's parse,
 * limit and validation errors as 400/413/415, an unreachable store as 503, anything else as
 * `internal` with the details only in the log. Fastify's error handler and the verify fast lane
 * (`verify-lane.ts`) both answer through it.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof DomainError) return { code: error.code, message: error.message, details: error.details, headers: error.headers };
  const fastifyError = error as Partial<FastifyError>;
  // A path parameter over its schema's length names nothing: as for one over the router's limit.
  if (fastifyError.validation && fastifyError.validationContext === 'params') return failureOf(TOO_LONG());
  if (fastifyError.validation) {
    const details = validationDetails(fastifyError.validation as never, fastifyError.validationContext ?? 'body');
    const message = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return { code: 'invalid_request', message: `Invalid request: ${message}`, details };
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

/** 404 for a path or id too long to name anything (the contract's words). */
const TOO_LONG = () => new DomainError('not_found', 'No resource has a path or id this long.');

/** The router's own refusals, before any route or hook runs, in the contract's terms. */
const ROUTER_ERRORS: Record<string, () => DomainError> = {
  FST_ERR_BAD_URL: () => invalid('url', 'holds a malformed percent-escape'),
  FST_ERR_MAX_PARAM_LENGTH: TOO_LONG,
};

/**
 * Fastify's `frameworkErrors` option: the router's refusals (a bad URL escape, a path parameter
 * over `maxParamLength`) answered in the contract's body. No hook has run, so the request id
 * header is set here.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id);
  const failure = failureOf(ROUTER_ERRORS[error.code]?.() ?? error);
  if (failure.logAs) request.log.error({ err: error }, failure.logAs);
  void sendError(request, reply, failure);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    const failure = failureOf(error);
    if (failure.logAs) request.log.error({ err: error }, failure.logAs);
    return sendError(request, reply, failure);
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` }),
  );
}
