import { ErrorStatus, type ErrorBody, type ErrorCode, type ErrorDetail } from '@keymint/api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors.js';
import { validationDetails } from './validation.js';

/** Fastify's own 4xx errors (parsing, limits, routing) in the contract's terms. */
const FRAMEWORK_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Sends the contract's error body. */
export function sendError(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string, details?: ErrorDetail[]) {
  const body: ErrorBody = { error: { code, message, request_id: request.id } };
  if (details?.length) body.error.details = details;
  return reply.status(ErrorStatus[code]).type('application/json; charset=utf-8').send(body);
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
 * `internal` with the details only in the log.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.headers) reply.headers(error.headers);
      return sendError(request, reply, error.code, error.message, error.details);
    }
    if ('validation' in error && error.validation) {
      const details = validationDetails(error.validation as never, error.validationContext ?? 'body');
      const message = details.map((d) => `${d.field}: ${d.message}`).join('; ');
      return sendError(request, reply, 'invalid_request', `Invalid request: ${message}`, details);
    }
    const status = (error as FastifyError).statusCode;
    if (status && FRAMEWORK_CODES[status]) {
      const field = status === 400 ? [{ field: 'body', message: error.message }] : undefined;
      return sendError(request, reply, FRAMEWORK_CODES[status], error.message, field);
    }
    if (isUnavailable(error)) {
      request.log.error({ err: error }, 'store unavailable');
      reply.header('retry-after', '1');
      return sendError(request, reply, 'unavailable', 'The service is temporarily unavailable.');
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(request, reply, 'internal', 'Internal error.');
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}
