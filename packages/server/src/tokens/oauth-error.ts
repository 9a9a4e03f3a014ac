import type { OAuthErrorCode } from '@keymint/api';

/**
 * A failure of the OAuth endpoints, answered as RFC 6749 §5.2 says (`{error,
 * error_description}`), not as the contract's `{error: {code}}`: OAuth clients parse these.
 * `error` is one of the closed set in `@keymint/api`, which the SDK types its errors by.
 */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** 400 `invalid_request`: a missing, repeated, unknown or malformed parameter. */
export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);

/**
 * 401 `invalid_client`: the same answer for an unknown id, a wrong secret and a key that may not
 * sign in. With HTTP Basic the answer names the scheme, as RFC 6749 §5.2 asks.
 */
export const invalidClient = (usedBasic: boolean) =>
  new OAuthError(401, 'invalid_client', 'Client authentication failed.', usedBasic ? { 'www-authenticate': 'Basic realm="keymint"' } : {});
