import type { ErrorDetail } from '@keymint/api';
import { toCamel, toSnake } from './case.js';
import type { AccessToken, ClientCredentialsParams } from './types.js';
import type { KeymintCore, RequestOptions } from './core.js';
import { KeymintAbortError, KeymintNetworkError, KeymintTimeoutError, keymintError, type KeymintError, type KeymintErrorCode, type Result } from './errors.js';
import { backoffMs, retriableStatus, retryAfterMs, retryConfig, type RetryPolicy } from './retry.js';

/** One operation of the API, as a standalone function describes it to `send`. */
export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** Query parameters (camelCase, mapped here); undefined values are left out. */
  query?: object;
  /** JSON body (camelCase, mapped here). */
  body?: unknown;
  /** Form body, sent as is (the OAuth endpoints). */
  form?: Record<string, string | undefined>;
  retry: RetryPolicy;
  /** Sends an `Idempotency-Key`, generated once per call and reused by its retries. */
  idempotent?: boolean;
  /** Credential: the client's bearer (default), or HTTP Basic client credentials. */
  basic?: { id: string; secret: string };
  /** Error bodies are RFC 6749 `{error, error_description}`. */
  oauth?: boolean;
}

/** Stops a call: the caller's signal, or its deadline. */
class Deadline {
  readonly controller = new AbortController();
  timedOut = false;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly onAbort = () => this.controller.abort();
  /** When the call must be over, ms since epoch. */
  readonly endsAt: number;

  constructor(
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.endsAt = Date.now() + timeoutMs;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    if (signal?.aborted) this.controller.abort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The failure for a stopped call, or undefined while it may go on. */
  stopped(): KeymintTimeoutError | KeymintAbortError | undefined {
    if (this.timedOut) return new KeymintTimeoutError('Keymint: the call timed out');
    if (this.controller.signal.aborted) return new KeymintAbortError('Keymint: the call was aborted');
    return undefined;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.controller.signal.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

function url(core: KeymintCore, op: Operation): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries((toSnake(op.query ?? {}) as Record<string, unknown>) ?? {})) {
    if (value !== undefined && value !== null) params.append(name, String(value));
  }
  const search = params.toString();
  return `${core.baseUrl}${op.path}${search ? `?${search}` : ''}`;
}

function encodeBody(op: Operation): { body?: string; type?: string } {
  if (op.form) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(op.form)) if (value !== undefined) form.append(name, value);
    return { body: form.toString(), type: 'application/x-www-form-urlencoded' };
  }
  if (op.body === undefined) return {};
  return { body: JSON.stringify(toSnake(op.body)), type: 'application/json' };
}

const basicAuth = (id: string, secret: string) =>
  `Basic ${btoa(String.fromCharCode(...new TextEncoder().encode(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)))}`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A success status whose body is not JSON: not Keymint answering (a proxy, a captive portal). */
const unreadable = (response: Response): KeymintError =>
  keymintError(
    {
      status: response.status,
      code: 'unknown',
      message: `HTTP ${response.status}: the answer is not JSON`,
      requestId: response.headers.get('x-request-id') ?? undefined,
    },
    false,
  );

/** An error answer as a typed `KeymintError`: the contract's body, an OAuth body, or neither. */
function errorOf(response: Response, text: string, oauth: boolean): KeymintError {
  const body = parseJson(text) as { error?: unknown; error_description?: unknown } | undefined;
  const headerId = response.headers.get('x-request-id') ?? undefined;
  const retryAfter = retryAfterMs(response.headers.get('retry-after'));
  const common = { status: response.status, retryAfterSeconds: retryAfter === undefined ? undefined : retryAfter / 1000 };
  const inner = body?.error;
  if (inner && typeof inner === 'object' && typeof (inner as { code?: unknown }).code === 'string') {
    const e = inner as { code: KeymintErrorCode; message?: string; request_id?: string; details?: ErrorDetail[] };
    return keymintError({ ...common, code: e.code, message: e.message ?? response.statusText, requestId: e.request_id ?? headerId, details: e.details }, false);
  }
  if (typeof inner === 'string') {
    const message = typeof body?.error_description === 'string' ? body.error_description : inner;
    return keymintError({ ...common, code: inner as KeymintErrorCode, message, requestId: headerId }, oauth);
  }
  return keymintError({ ...common, code: 'unknown', message: `HTTP ${response.status} ${response.statusText}`.trim(), requestId: headerId }, false);
}

/** `Authorization` for a call: Basic client credentials, the static token, or a cached access token. */
async function authorization(core: KeymintCore, op: Operation, signal: AbortSignal): Promise<Result<string>> {
  if (op.basic) return { ok: true, value: basicAuth(op.basic.id, op.basic.secret) };
  if (core.token !== undefined) return { ok: true, value: `Bearer ${core.token}` };
  const token = await cachedAccessToken(core, core.clientCredentials as ClientCredentialsParams, { signal });
  return token.ok ? { ok: true, value: `Bearer ${token.value.accessToken}` } : token;
}

/** Cache entry name of a set of client credentials (the secret is part of it: no sharing across secrets). */
const credentialsId = (p: ClientCredentialsParams) => JSON.stringify([p.clientId, p.clientSecret, p.scope ?? '']);

/** A fresh-enough access token for these client credentials: cached, or minted now. */
export function cachedAccessToken(core: KeymintCore, params: ClientCredentialsParams, options?: RequestOptions): Promise<Result<AccessToken>> {
  return core.tokenCache.get(credentialsId(params), async () => {
    const minted = await send<Omit<AccessToken, 'expiresAt'>>(
      core,
      {
        method: 'POST',
        path: '/v1/oauth/token',
        form: { grant_type: 'client_credentials', scope: params.scope },
        basic: { id: params.clientId, secret: params.clientSecret },
        retry: 'safe',
        oauth: true,
      },
      options,
    );
    return minted.ok ? { ok: true, value: { ...minted.value, expiresAt: Date.now() + minted.value.expiresIn * 1000 } } : minted;
  });
}

/**
 * Makes one logical call: maps names, authenticates, retries what its policy allows with
 * backoff (honouring `Retry-After`), stops at the deadline or the caller's signal, and turns
 * every outcome into a `Result`. Never throws.
 */
export async function send<T>(core: KeymintCore, op: Operation, options: RequestOptions = {}): Promise<Result<T>> {
  const config = retryConfig(core.retries, options.retries);
  const deadline = new Deadline(options.timeoutMs ?? core.timeoutMs, options.signal);
  const { body, type } = encodeBody(op);
  const idempotencyKey = op.idempotent ? (options.idempotencyKey ?? globalThis.crypto.randomUUID()) : undefined;
  let reauthenticated = false;
  try {
    for (let attempt = 0; ; attempt++) {
      const auth = await authorization(core, op, deadline.controller.signal);
      if (!auth.ok) return auth;
      const headers: Record<string, string> = { accept: 'application/json', authorization: auth.value, ...core.headers };
      if (type) headers['content-type'] = type;
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      Object.assign(headers, options.headers);

      let failure: KeymintError | KeymintNetworkError;
      let waitMs: number | undefined;
      try {
        const response = await core.fetch(url(core, op), { ...options.fetchOptions, method: op.method, headers, body, signal: deadline.controller.signal });
        const text = await response.text();
        if (response.ok) {
          const value = text ? parseJson(text) : undefined;
          if (text && value === undefined) return { ok: false, error: unreadable(response) };
          return { ok: true, value: toCamel(value) as T };
        }
        const answered = errorOf(response, text, op.oauth === true);
        failure = answered;
        if (response.status === 401 && core.clientCredentials && !op.basic && !reauthenticated) {
          // The cached access token was refused (revoked key, restarted issuer): mint one more.
          reauthenticated = true;
          core.tokenCache.drop(credentialsId(core.clientCredentials), auth.value.slice('Bearer '.length));
          attempt--;
          continue;
        }
        if (!retriableStatus(response.status, op.retry)) return { ok: false, error: failure };
        waitMs = answered.retryAfterSeconds === undefined ? undefined : answered.retryAfterSeconds * 1000;
        if (waitMs !== undefined && waitMs > config.maxRetryAfterMs) return { ok: false, error: failure };
      } catch (cause) {
        const stopped = deadline.stopped();
        if (stopped) return { ok: false, error: stopped };
        failure = new KeymintNetworkError(`Keymint: ${op.method} ${op.path} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
        if (op.retry !== 'safe') return { ok: false, error: failure };
      }
      if (attempt >= config.maxRetries) return { ok: false, error: failure };
      const delay = waitMs ?? backoffMs(attempt, config);
      if (Date.now() + delay >= deadline.endsAt) return { ok: false, error: failure };
      await deadline.sleep(delay);
      const stopped = deadline.stopped();
      if (stopped) return { ok: false, error: stopped };
    }
  } finally {
    deadline.close();
  }
}
