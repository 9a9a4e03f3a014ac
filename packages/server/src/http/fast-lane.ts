import type { TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import fastJson from 'fast-json-stringify';
import type { FastifyBaseLogger } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import { admits } from './auth-hook.js';
import { Answer, type AnyEndpoint, type Call } from './endpoint.js';
import { failureOf, render } from './failure.js';
import type { Metrics } from './metrics.js';
import type { JsonBodyParser } from './nul-guard.js';
import { newRequestId } from './request-id.js';
import { validatorCompiler } from './validation.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Content types the lane reads; any other (or none) goes to Fastify, which answers 415 or parses it. */
const JSON_BODY = /^application\/json\s*(;\s*charset=utf-8\s*)?$/i;
const NOTHING = Object.freeze({});

/** What the lane shares with the Fastify side, so both answer alike. */
export interface FastLaneDeps {
  authenticator: Authenticator;
  metrics: Metrics;
  logger: FastifyBaseLogger;
  parseJson: JsonBodyParser;
  bodyLimit: number;
}

type Serialize = (value: unknown) => string;

/** One fast-lane endpoint compiled from its definition: its body validator and its response serializers by status. */
interface LaneRoute {
  endpoint: AnyEndpoint;
  validate: ValidateFunction | undefined;
  serializers: Map<string, Serialize>;
  /** The serializer chosen for each status answered so far. */
  byStatus: Map<number, Serialize>;
  /** Counts and times its answers (`Metrics.requestCounter`). */
  count: (status: number, seconds: number) => void;
}

/** Fastify's choice of a response schema for `status`: the exact code, then `4xx`-style, then `default`; none: plain JSON. */
function serializerFor(route: LaneRoute, status: number): Serialize {
  let serialize = route.byStatus.get(status);
  if (serialize === undefined) {
    const { serializers } = route;
    serialize = serializers.get(String(status)) ?? serializers.get(`${Math.floor(status / 100)}xx`) ?? serializers.get('default') ?? JSON.stringify;
    route.byStatus.set(status, serialize);
  }
  return serialize;
}

function compile(endpoint: AnyEndpoint, metrics: Metrics): LaneRoute {
  const { body, response } = endpoint.schema;
  const validate = body ? (validatorCompiler({ schema: body, method: endpoint.method, url: endpoint.path, httpPart: 'body' }) as ValidateFunction) : undefined;
  const serializers = new Map<string, Serialize>();
  for (const [status, schema] of Object.entries(response) as [string, object][])
    if (!('content' in schema)) serializers.set(status, fastJson(schema as TSchema) as Serialize);
  for (const [status, serialize] of Object.entries(endpoint.serializers ?? {})) serializers.set(status, serialize as Serialize);
  return { endpoint, validate, serializers, byStatus: new Map(), count: metrics.requestCounter(endpoint.path, endpoint.method) };
}

/**
 * The raw `node:http` adapter of the endpoints that opt in (`fastLane: true`; verify today),
 * outside Fastify's per-request lifecycle (routing, hooks, child logger, reply object): the hot
 * path of every user's API. Everything it uses is the definition's or shared with the Fastify
 * side: the access rule (`admits`), the JSON parser, the body validator (the app's compiler), the
 * response serializers, the handler, the failure mapper and its rendering, the request id and
 * the request metrics. It takes only the plain case — the exact path, a JSON body whose length
 * is declared and within the limit, and a credential the authenticator has cached and the access
 * rule admits — and decides that from the headers, before reading a byte of the body; all else
 * (first use of a credential, 401, 403, 413, 415, chunked bodies, query strings, shutdown) goes
 * to Fastify (`fast-lane.test.ts` holds both adapters to the same answers).
 */
export class FastLane {
  /** Requests the lane answered (the rest went to Fastify). */
  served = 0;
  /** Set when the app starts closing: from then on Fastify answers (503 to new requests). */
  closing = false;
  private readonly routes = new Map<string, LaneRoute>();

  constructor(
    endpoints: readonly AnyEndpoint[],
    private readonly deps: FastLaneDeps,
  ) {
    for (const endpoint of endpoints) {
      if (!endpoint.fastLane) continue;
      if (endpoint.path.includes(':')) throw new Error(`${endpoint.operationId}: the fast lane serves fixed paths only`);
      this.routes.set(endpoint.path, compile(endpoint, deps.metrics));
    }
  }

  /** Answers the request and returns true, or returns false having read nothing of it (Fastify answers). */
  take(request: IncomingMessage, response: ServerResponse): boolean {
    const route = this.routes.get(request.url!);
    if (route === undefined || request.method !== route.endpoint.method || this.closing) return false;
    const { headers } = request;
    const length = Number(headers['content-length']);
    if (!(length > 0 && length <= this.deps.bodyLimit) || headers['content-encoding'] !== undefined) return false;
    if (!JSON_BODY.test(headers['content-type'] ?? '')) return false;
    const { access } = route.endpoint;
    const principal = access === 'public' ? undefined : this.deps.authenticator.cached(headers.authorization);
    if (access !== 'public' && (principal === undefined || !admits(principal, access))) return false;

    this.served++;
    const started = performance.now();
    const id = newRequestId();
    // Bytes, decoded once at the end: a body is nearly always one chunk, and a string decoder per request costs more.
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      this.answer(route, text, principal, id, started, request, response);
    });
    return true;
  }

  private answer(
    route: LaneRoute,
    text: string,
    principal: Principal | undefined,
    id: string,
    started: number,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const fail = (error: unknown) => this.fail(route, error, id, started, response);
    this.deps.parseJson(text, (error, body) => {
      if (error) return fail(error);
      if (route.validate && !route.validate(body)) return fail({ validation: route.validate.errors, validationContext: 'body' });
      // The lane's `ip` is the socket's peer (no proxy trust): endpoints that use `ip` stay off the lane.
      const call = { body, params: NOTHING, query: NOTHING, headers: request.headers, principal, id, ip: request.socket.remoteAddress ?? '' } as Call;
      try {
        const outcome = route.endpoint.handler(call);
        if (outcome instanceof Promise) outcome.then((settled) => this.succeed(route, settled, id, started, response)).catch(fail);
        else this.succeed(route, outcome, id, started, response);
      } catch (e) {
        fail(e);
      }
    });
  }

  private succeed(route: LaneRoute, outcome: unknown, id: string, started: number, response: ServerResponse): void {
    const { endpoint } = route;
    if (outcome instanceof Answer) return this.write(route, response, outcome.status, outcome.body, id, started, outcome.headers);
    this.write(route, response, endpoint.status ?? 200, outcome, id, started, endpoint.headers);
  }

  private fail(route: LaneRoute, error: unknown, id: string, started: number, response: ServerResponse): void {
    const failure = failureOf(error);
    if (failure.logAs) this.deps.logger.error({ err: error, reqId: id }, failure.logAs);
    // Failing after the answer began (the socket, the metrics) leaves only closing the connection.
    if (response.headersSent) return void response.destroy();
    const { status, headers, body } = render(route.endpoint.errors, failure, id);
    this.write(route, response, status, body, id, started, headers);
  }

  private write(route: LaneRoute, response: ServerResponse, status: number, body: unknown, id: string, started: number, extra?: Record<string, string>): void {
    const payload = serializerFor(route, status)(body);
    response.writeHead(status, {
      'x-request-id': id,
      ...extra,
      'content-type': JSON_TYPE,
      'content-length': Buffer.byteLength(payload),
    });
    response.end(payload);
    route.count(status, (performance.now() - started) / 1000);
    this.deps.logger.debug({ reqId: id, statusCode: status }, 'request completed (fast lane)');
  }
}
