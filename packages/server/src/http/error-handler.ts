import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalid, type DomainError } from '../errors.js';
import { TOO_LONG, failureOf, render, type ErrorStyle, type Failure } from './failure.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends `failure` in `style` (logging it first when it is the server's). */
function sendFailure(style: ErrorStyle, error: unknown, failure: Failure, request: FastifyRequest, reply: FastifyReply) {
  if (failure.logAs) request.log.error({ err: error }, failure.logAs);
  const { status, headers, body } = render(style, failure, request.id);
  if (headers) reply.headers(headers);
  return reply.status(status).type(JSON_TYPE).send(body);
}

/** Fastify's error handler answering every failure through the one mapper, in `style`'s rendering. */
export const errorHandler = (style: ErrorStyle) => (error: FastifyError | DomainError, request: FastifyRequest, reply: FastifyReply) =>
  sendFailure(style, error, failureOf(error), request, reply);

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
  void sendFailure('contract', error, failureOf(ROUTER_ERRORS[error.code]?.() ?? error), request, reply);
}

/** The app's error handler (the contract's body; the OAuth context sets its own) and its 404. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler('contract'));
  app.setNotFoundHandler((request, reply) =>
    sendFailure('contract', undefined, { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` }, request, reply),
  );
}
