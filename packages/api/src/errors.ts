import { Type, type Static } from '@sinclair/typebox';

/** The closed set of error codes the API answers, with the one status each comes with. */
export const ErrorStatus = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  request_timeout: 408,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

/** One of the contract's error codes. */
export type ErrorCode = keyof typeof ErrorStatus;

/** One bad field of an `invalid_request`. */
export const ErrorDetail = Type.Object(
  {
    field: Type.String({ description: 'Where the problem is: a body field, `query.x`, `headers.x`, or `body`.' }),
    message: Type.String(),
  },
  { title: 'ErrorDetail' },
);
export type ErrorDetail = Static<typeof ErrorDetail>;

/** The error body of every failed `/v1` call. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(
        Object.keys(ErrorStatus).map((code) => Type.Literal(code as ErrorCode)),
        { title: 'ErrorCode' },
      ),
      message: Type.String(),
      request_id: Type.String(),
      details: Type.Optional(Type.Array(ErrorDetail)),
    }),
  },
  { title: 'Error', description: 'The error body of every failed `/v1` call (the OAuth endpoints answer `OAuthError`).' },
);
export type ErrorBody = Static<typeof ErrorBody>;
