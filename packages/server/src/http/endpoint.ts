import type { Static, TSchema } from '@sinclair/typebox';
import type { onRequestHookHandler } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Actor } from '../audit/audit-event.js';
import type { Principal } from '../auth/principal.js';
import type { ErrorStyle } from './failure.js';
import type { RouteAccess } from './types.js';

/** A response documented by its media type instead of a JSON schema (e.g. `/metrics`' Prometheus text). */
export interface MediaResponse {
  description: string;
  content: Record<string, { schema: Record<string, unknown> }>;
}

/** The TypeBox schemas of an endpoint: they validate requests, serialize answers and type the handler. */
export interface EndpointSchema {
  body?: TSchema;
  querystring?: TSchema;
  params?: TSchema;
  headers?: TSchema;
  response: Record<string | number, TSchema | MediaResponse>;
}

type Part<T> = T extends TSchema ? Static<T> : undefined;
type SuccessStatus = 200 | 201 | 202 | 204;
type Successes<R> = { [K in keyof R]: K extends SuccessStatus ? (R[K] extends TSchema ? Static<R[K]> : unknown) : never }[keyof R];
/** The body types of the success statuses; unknown when no success is schema-typed (e.g. `/openapi.json`). */
type Success<R> = [Successes<R>] extends [never] ? unknown : Successes<R>;

/**
 * What a handler sees of a request, whichever adapter built it (Fastify's request has these
 * fields; the fast lane builds the same). No reply object: the handler answers by return value.
 */
export interface Call<S extends EndpointSchema = EndpointSchema> {
  body: Part<S['body']>;
  params: Part<S['params']>;
  query: Part<S['querystring']>;
  headers: IncomingHttpHeaders & (S['headers'] extends TSchema ? Static<S['headers']> : unknown);
  /** Who called (set by the access rule; unset on public endpoints). */
  principal: Principal;
  /** The request id, as in `x-request-id`. */
  id: string;
  ip: string;
}

/** An answer whose status or headers are decided by the handler (most answers are a body alone). */
export class Answer<B = unknown> {
  constructor(
    readonly status: number,
    readonly body: B,
    readonly headers?: Record<string, string>,
  ) {}
}

/** What a handler returns: the body of the endpoint's `status`, or an `Answer`. */
export type Outcome<S extends EndpointSchema> = Success<S['response']> | Answer<Success<S['response']> | unknown>;

/** One endpoint: everything Fastify registration, the fast lane, the OpenAPI document and the route list come from. */
export interface Endpoint<S extends EndpointSchema = EndpointSchema> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify's pattern: `/v1/keys/:id`. */
  path: string;
  /** camelCase, unique: what generated clients name the call. */
  operationId: string;
  summary: string;
  /** One sentence (or more) on what the call does. */
  description: string;
  tags: readonly string[];
  access: RouteAccess;
  /** The error body: the contract's, or RFC 6749's (the OAuth endpoints, which also read form bodies). */
  errors: ErrorStyle;
  schema: S;
  /** Status of a plain (non-`Answer`) result; default 200. */
  status?: SuccessStatus;
  /** Headers of every successful answer (not of failures). */
  headers?: Record<string, string>;
  /** OpenAPI security when the access rule alone does not say it (default: bearer, or none when public). */
  security?: readonly Record<string, readonly string[]>[];
  /** Media types of the body besides JSON, for the document (the OAuth endpoints' form bodies). */
  consumes?: readonly string[];
  /** Left out of the OpenAPI document. */
  hidden?: true;
  /** Checks run before the body is read (Fastify `onRequest`); not allowed with `fastLane`. */
  onRequest?: onRequestHookHandler;
  /** Serializers that replace the schema's for a status (both adapters use them); they must write the schema's bytes. */
  serializers?: Partial<Record<SuccessStatus, (body: Success<S['response']>) => string>>;
  /** Largest body this endpoint accepts, bytes, when it must exceed the server's `KEYMINT_BODY_LIMIT` (GitHub's batches of 1,000 tokens, bulk imports). */
  bodyLimit?: number;
  /**
   * Checks the raw bytes of a JSON body before it is parsed (a signature over them), throwing a
   * `DomainError` to refuse the request. Only this endpoint's body is kept as bytes.
   */
  checkRawBody?: (raw: Buffer, headers: IncomingHttpHeaders) => Promise<void>;
  /** Served by the raw `node:http` adapter (`fast-lane.ts`) when the request is a plain one. */
  fastLane?: true;
  handler(call: Call<S>): Outcome<S> | Promise<Outcome<S>>;
}

/** An endpoint of any schema, as the table holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEndpoint = Endpoint<any>;

/** Declares an endpoint, typing its handler by its schemas. */
export function defineEndpoint<S extends EndpointSchema>(endpoint: Endpoint<S>): Endpoint<S> {
  if (endpoint.fastLane && (endpoint.onRequest || endpoint.checkRawBody)) {
    throw new Error(`${endpoint.operationId}: a fast-lane endpoint cannot have onRequest or raw body checks`);
  }
  return endpoint;
}

/** What a service needs to know of a request: who, from where, which request. */
export function requestActor(call: Pick<Call, 'principal' | 'ip' | 'headers' | 'id'>): Actor {
  const userAgent = call.headers['user-agent'];
  return { principal: call.principal, ip: call.ip ?? null, userAgent: userAgent ?? null, requestId: call.id };
}

/** The key of an endpoint in the route list: `METHOD /v1/path/:param`. */
export const routeKey = (endpoint: Pick<AnyEndpoint, 'method' | 'path'>) => `${endpoint.method} ${endpoint.path}`;
