import type { ErrorCode, ErrorDetail } from '@keymint/api';

/**
 * The closed set of failures a caller is shown. Services throw these; the HTTP layer maps
 * `code` to its status through `ErrorStatus` in one place. Anything else is a bug (`internal`).
 */
export class DomainError extends Error {
  constructor(
    readonly code: Exclude<ErrorCode, 'internal'>,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** 400 naming the bad field(s). */
export const invalid = (field: string, message: string) => new DomainError('invalid_request', `${field}: ${message}`, [{ field, message }]);
/** 401: no usable credential. */
export const unauthorized = (message = 'Missing or invalid credential.') => new DomainError('unauthorized', message);
/** 403: known caller, not allowed. */
export const forbidden = (message = 'Not allowed.') => new DomainError('forbidden', message);
/** 404: absent, or the caller may not know it exists. */
export const notFound = (what = 'Resource') => new DomainError('not_found', `${what} not found.`);
/** 409: the resource's state does not allow it. */
export const conflict = (message: string) => new DomainError('conflict', message);
/** 429 with `Retry-After` (whole seconds, at least 1). */
export const rateLimited = (message: string, retryAfterMs: number) =>
  new DomainError('rate_limited', message, undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
/** 503: a dependency (store) does not answer. */
export const unavailable = (message = 'The service is temporarily unavailable.') => new DomainError('unavailable', message, undefined, { 'retry-after': '1' });
