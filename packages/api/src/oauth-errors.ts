import { Type, type Static } from '@sinclair/typebox';

/**
 * Every `error` code the OAuth endpoints answer (RFC 6749 §5.2, RFC 6750 §3.1, RFC 8707 §2):
 * the closed set the server may send and clients may branch on.
 */
export const OAuthErrorCode = Type.Union([
  Type.Literal('invalid_request'),
  Type.Literal('invalid_client'),
  Type.Literal('invalid_scope'),
  Type.Literal('invalid_target'),
  Type.Literal('unsupported_grant_type'),
  Type.Literal('invalid_token'),
  Type.Literal('insufficient_scope'),
  Type.Literal('rate_limited'),
  Type.Literal('temporarily_unavailable'),
  Type.Literal('server_error'),
]);
export type OAuthErrorCode = Static<typeof OAuthErrorCode>;
