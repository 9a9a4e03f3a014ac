import type { TestApp } from './harness.js';

/** One request as a test sends it. */
export interface Sent {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What a caller sees of an answer, whichever way it travelled. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends requests to a test app one way: `app.inject` (always Fastify) or a real port (where the verify lane sits first). */
export type Transport = (request: Sent) => Promise<Answer>;

const flat = (headers: Record<string, string | string[] | number | undefined>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, String(value)]));

export const viaInject =
  (t: TestApp): Transport =>
  async ({ method, url, headers, body }) => {
    const response = await t.app.inject({ method: method as 'GET', url, headers, payload: body });
    return { status: response.statusCode, headers: flat(response.headers), body: response.body };
  };

/** A real port: call `t.app.listen({ host: '127.0.0.1', port: 0 })` first and pass its address. */
export const viaPort =
  (address: string): Transport =>
  async ({ method, url, headers, body }) => {
    const response = await fetch(address + url, { method, headers, body });
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  };

/** Headers of a JSON call with `authorization` (none when null). */
export const jsonCall = (authorization: string | null, body?: unknown): Pick<Sent, 'headers' | 'body'> => ({
  headers: {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(authorization === null ? {} : { authorization }),
  },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** A caller holding one credential, over `via`: `callerOver(via, secret).post('/v1/keys', body)`. */
export function callerOver(via: Transport, credential: string | null) {
  const authorization = credential === null ? null : `Bearer ${credential}`;
  return {
    get: (url: string) => via({ method: 'GET', url, ...jsonCall(authorization) }),
    post: (url: string, body: unknown = {}) => via({ method: 'POST', url, ...jsonCall(authorization, body) }),
    patch: (url: string, body: unknown) => via({ method: 'PATCH', url, ...jsonCall(authorization, body) }),
    delete: (url: string) => via({ method: 'DELETE', url, ...jsonCall(authorization) }),
  };
}
