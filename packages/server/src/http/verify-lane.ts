import { ErrorBody, ErrorStatus, VerifyKeyBody, type VerifyKeyResult } from '@keymint/api';
import type { ValidateFunction } from 'ajv';
import fastJson from 'fast-json-stringify';
import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Authenticator } from '../auth/authenticator.js';
import { holds } from '../auth/principal.js';
import { newId } from '../ids.js';
import type { KeyService } from '../keys/key-service.js';
import { errorBody, failureOf } from './error-handler.js';
import type { Metrics } from './metrics.js';
import type { JsonBodyParser } from './nul-guard.js';
import { validatorCompiler } from './validation.js';
import { verifyResultSerializer } from './verify-serializer.js';

const PATH = '/v1/keys/verify';
const JSON_TYPE = 'application/json; charset=utf-8';
/** Content types the lane reads; any other (or none) goes to Fastify, which answers 415 or parses it. */
const JSON_BODY = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;

/** Everything the lane shares with the Fastify route, so both answer alike. */
export interface VerifyLaneDeps {
  keys: KeyService;
  authenticator: Authenticator;
  metrics: Metrics;
  logger: FastifyBaseLogger;
  parseJson: JsonBodyParser;
  bodyLimit: number;
}

/**
 * `POST /v1/keys/verify` served straight from `node:http`, outside Fastify's per-request
 * lifecycle (routing, hooks, child logger, reply object): the hot path of every user's API, where
 * that fixed cost was most of a verify (see bench/RESULTS.md). It takes only the plain case — the
 * exact path, a JSON body whose length is declared and within the limit, and a root key the
 * authenticator has cached and that holds `keys:verify` — and decides that from the headers,
 * before reading a byte of the body; everything else (first use of a credential, 401, 403, 413,
 * 415, chunked bodies, query strings, shutdown) goes to the Fastify route, which stays the one
 * definition in the OpenAPI document. What the lane does answer it answers with the route's own
 * parts: the same JSON parser, body schema, service, serializer, error mapping and metrics
 * (`verify-lane.test.ts` holds both paths to the same bytes).
 */
export class VerifyLane {
  /** Requests the lane answered (the rest went to Fastify). */
  served = 0;
  /** Set when the app starts closing: from then on Fastify answers (503 to new requests). */
  closing = false;
  private readonly validate = validatorCompiler({ schema: VerifyKeyBody, method: 'POST', url: PATH, httpPart: 'body' }) as ValidateFunction;
  private readonly serializeResult = verifyResultSerializer();
  private readonly serializeError = fastJson(ErrorBody);

  constructor(private readonly deps: VerifyLaneDeps) {}

  /** Answers the request and returns true, or returns false having read nothing of it (Fastify answers). */
  take(request: IncomingMessage, response: ServerResponse): boolean {
    if (request.url !== PATH || request.method !== 'POST' || this.closing) return false;
    const { headers } = request;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= this.deps.bodyLimit) || headers['content-encoding'] !== undefined) return false;
    if (!JSON_BODY.test(headers['content-type'] ?? '')) return false;
    const principal = this.deps.authenticator.cached(headers.authorization);
    if (principal?.type !== 'root_key' || !holds(principal, 'keys:verify')) return false;

    this.served++;
    const started = performance.now();
    const id = newId('req');
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
    });
    request.on('end', () => this.answer(text, id, started, response));
    return true;
  }

  private answer(text: string, id: string, started: number, response: ServerResponse): void {
    const fail = (error: unknown) => this.fail(error, id, started, response);
    this.deps.parseJson(text, (error, body) => {
      if (error) return fail(error);
      if (!this.validate(body)) return fail({ validation: this.validate.errors, validationContext: 'body' });
      const verifying = performance.now();
      const send = (result: VerifyKeyResult) => {
        this.deps.metrics.verifyDuration.observe((performance.now() - verifying) / 1000);
        this.write(response, 200, this.serializeResult(result), id, started);
      };
      try {
        const verified = this.deps.keys.verify(body as VerifyKeyBody);
        if (verified instanceof Promise) verified.then(send).catch(fail);
        else send(verified);
      } catch (e) {
        fail(e);
      }
    });
  }

  private fail(error: unknown, id: string, started: number, response: ServerResponse): void {
    const failure = failureOf(error);
    if (failure.logAs) this.deps.logger.error({ err: error, reqId: id }, failure.logAs);
    // Failing after the answer began (the socket, the metrics) leaves only closing the connection.
    if (response.headersSent) return void response.destroy();
    this.write(response, ErrorStatus[failure.code], this.serializeError(errorBody(failure, id)), id, started, failure.headers);
  }

  private write(response: ServerResponse, status: number, payload: string, id: string, started: number, extra?: Record<string, string>): void {
    response.writeHead(status, {
      'x-request-id': id,
      ...extra,
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(payload),
    });
    response.end(payload);
    this.deps.metrics.countRequest(PATH, 'POST', status, (performance.now() - started) / 1000);
    this.deps.logger.debug({ reqId: id, statusCode: status }, 'request completed (verify lane)');
  }
}
