import type { ErrorCode, ErrorDetail, OAuthErrorCode } from '@keymint/api';

/** RFC 6749 error codes the OAuth endpoints answer instead of the contract's error body: the server's own closed set. */
export type { OAuthErrorCode };

/** Every `code` a `KeymintError` can carry: the contract's, OAuth's, or `unknown` for a body that is neither. */
export type KeymintErrorCode = ErrorCode | OAuthErrorCode | 'unknown';

/** The fields of an HTTP error answer, as the SDK read them. */
export interface KeymintErrorInit<C extends KeymintErrorCode = KeymintErrorCode> {
  status: number;
  code: C;
  message: string;
  requestId: string | undefined;
  details?: ErrorDetail[];
  /** Seconds the server asked to wait (`Retry-After`), when it did. */
  retryAfterSeconds?: number;
}

/** The server answered with an error status: what it said, and the request id to quote. */
export class KeymintError<C extends KeymintErrorCode = KeymintErrorCode> extends Error {
  override name = 'KeymintError';
  readonly status: number;
  readonly code: C;
  readonly requestId: string | undefined;
  readonly details: ErrorDetail[];
  readonly retryAfterSeconds: number | undefined;
  constructor(init: KeymintErrorInit<C>) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/** 400 `invalid_request`: `details` names each bad field. */
export class InvalidRequestError extends KeymintError<'invalid_request'> {}
/** 401 `unauthorized`: missing, unknown, revoked or expired credential. */
export class UnauthorizedError extends KeymintError<'unauthorized'> {}
/** 403 `forbidden`: authenticated but not allowed. */
export class ForbiddenError extends KeymintError<'forbidden'> {}
/** 404 `not_found`: no such resource, or not one the caller may know of. */
export class NotFoundError extends KeymintError<'not_found'> {}
/** 408 `request_timeout`: the request (its body) did not arrive within the server's time limit. */
export class RequestTimeoutError extends KeymintError<'request_timeout'> {}
/** 409 `conflict`: the state does not allow it, or an Idempotency-Key reused with another body. */
export class ConflictError extends KeymintError<'conflict'> {}
/** 413 `payload_too_large`. */
export class PayloadTooLargeError extends KeymintError<'payload_too_large'> {}
/** 415 `unsupported_media_type`. */
export class UnsupportedMediaTypeError extends KeymintError<'unsupported_media_type'> {}
/** 429 `rate_limited`: `retryAfterSeconds` says when to come back. */
export class RateLimitedError extends KeymintError<'rate_limited'> {}
/** 500 `internal`: a server bug; quote `requestId`. */
export class InternalServerError extends KeymintError<'internal'> {}
/** 503 `unavailable`: the server cannot reach its store. */
export class UnavailableError extends KeymintError<'unavailable'> {}
/** An OAuth endpoint's RFC 6749 error (`invalid_client`, `invalid_scope`, …). */
export class OAuthError extends KeymintError<OAuthErrorCode> {}

const CLASSES: Record<ErrorCode, new (init: KeymintErrorInit<never>) => KeymintError> = {
  invalid_request: InvalidRequestError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  request_timeout: RequestTimeoutError,
  conflict: ConflictError,
  payload_too_large: PayloadTooLargeError,
  unsupported_media_type: UnsupportedMediaTypeError,
  rate_limited: RateLimitedError,
  internal: InternalServerError,
  unavailable: UnavailableError,
};

/** Builds the narrowest error class for an answer's code. */
export function keymintError(init: KeymintErrorInit, oauth: boolean): KeymintError {
  const Class = oauth && init.code !== 'unknown' ? OAuthError : CLASSES[init.code as ErrorCode];
  return Class ? new Class(init as KeymintErrorInit<never>) : new KeymintError(init);
}

/** True when `error` is a `KeymintError`, optionally of the given code: narrows `error.code`. */
export function isKeymintError<C extends KeymintErrorCode>(error: unknown, code?: C): error is KeymintError<C> {
  return error instanceof KeymintError && (code === undefined || error.code === code);
}

/** The request never got an answer (DNS, refused, reset…); `cause` holds the runtime's error. */
export class KeymintNetworkError extends Error {
  override name = 'KeymintNetworkError';
}

/** The call took longer than its `timeoutMs` (retries included). */
export class KeymintTimeoutError extends Error {
  override name = 'KeymintTimeoutError';
}

/** The caller's `signal` aborted the call. */
export class KeymintAbortError extends Error {
  override name = 'KeymintAbortError';
}

/** Every way a call can fail; the `error` of a failed `Result`. */
export type KeymintFailure = KeymintError | KeymintNetworkError | KeymintTimeoutError | KeymintAbortError;

/** A standalone function's answer: never thrown, always one of the two. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: KeymintFailure };
