import type { RetryOption } from './retry.js';
import { TokenCache } from './token-cache.js';
import type { ClientCredentialsParams } from './types.js';

/** The `fetch` the SDK calls: the runtime's by default, or the caller's own. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Client credentials to authenticate with, instead of a static token (`scope`: a space-separated subset of the key's). */
export type ClientCredentialsAuth = ClientCredentialsParams;

/** Options shared by every client. */
interface CommonOptions {
  /** Where Keymint is served, e.g. `https://keymint.example.com`. */
  baseUrl: string;
  /** Longest a call may take, retries included, ms. Default 10000. */
  timeoutMs?: number;
  /** Retries of every call (a count or a `RetryConfig`); a call's own option wins. Default 2. */
  retries?: RetryOption;
  /** A `fetch` to use instead of the global one. */
  fetch?: FetchLike;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
}

/** Client options: a static `token` (root key, session token, access token) or client credentials. */
export type KeymintOptions = CommonOptions & ({ token: string } | ({ token?: undefined } & ClientCredentialsAuth));

/** Per-call options, beside the client's. */
export interface RequestOptions {
  retries?: RetryOption;
  timeoutMs?: number;
  /** Aborts the call (its retries and backoff included) with a `KeymintAbortError`. */
  signal?: AbortSignal;
  /** Extra headers for this call; they win over the SDK's own. */
  headers?: Record<string, string>;
  /** Passed to `fetch` (all `RequestInit` fields but method, body, headers and signal). */
  fetchOptions?: Omit<RequestInit, 'method' | 'body' | 'headers' | 'signal'>;
  /** Idempotency-Key of a create; default: a new random one per call, reused by its retries. */
  idempotencyKey?: string;
}

/**
 * The smallest client: configuration, credentials and the token cache, and nothing else, so
 * standalone functions (`keysCreate(core, …)`) tree-shake down to what an app uses.
 */
export class KeymintCore {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retries: RetryOption | undefined;
  readonly fetch: FetchLike;
  readonly headers: Readonly<Record<string, string>>;
  readonly token: string | undefined;
  readonly clientCredentials: ClientCredentialsAuth | undefined;
  /** Access tokens minted with client credentials, reused until shortly before they expire. */
  readonly tokenCache = new TokenCache();

  constructor(options: KeymintOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new TypeError('Keymint: baseUrl must be an http(s) URL');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = options.retries;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.headers = { ...options.headers };
    if (options.token !== undefined) {
      this.token = options.token;
    } else if (options.clientId && options.clientSecret) {
      this.clientCredentials = { clientId: options.clientId, clientSecret: options.clientSecret, scope: options.scope };
    } else {
      throw new TypeError('Keymint: pass a token, or clientId and clientSecret');
    }
  }
}
