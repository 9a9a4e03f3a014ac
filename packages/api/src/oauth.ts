import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

const Param = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, description });

/** `POST /v1/oauth/token` (form or JSON): the client_credentials grant of RFC 6749 §4.4. */
export const TokenRequest = Type.Object(
  {
    grant_type: Type.Unsafe<'client_credentials'>({ type: 'string', enum: ['client_credentials'], description: 'The only grant served.' }),
    client_id: Type.Optional(Param(64, 'The API key id (or give it with HTTP Basic).')),
    client_secret: Type.Optional(Param(512, 'The API key secret (or give it with HTTP Basic).')),
    scope: Type.Optional(Type.String({ maxLength: 4096, description: 'Space-separated subset of the key scopes; default: all.' })),
    audience: Type.Optional(Param(512, 'An allowed audience (`KEYMINT_TOKEN_AUDIENCES`).')),
    resource: Type.Optional(Param(512, 'RFC 8707 resource indicator: an allowed audience.')),
  },
  {
    additionalProperties: false,
    examples: [
      {
        grant_type: 'client_credentials',
        client_id: 'key_2Vq9b1c0tGk3yE8wQx',
        client_secret: 'km_7fQ2x9LkR4vN8pW1sT6yB3mC5dH0jG2aE7uI9oZqXw1Yv00Fp3k',
        scope: 'invoices:read',
      },
    ],
  },
);
export type TokenRequest = Static<typeof TokenRequest>;

/** A successful token answer (RFC 6749 §5.1). */
export const TokenResponse = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer(),
    scope: Type.String(),
  },
  { title: 'TokenResponse' },
);
export type TokenResponse = Static<typeof TokenResponse>;

/** The error body of the OAuth endpoints (RFC 6749 §5.2), not the contract's `{error: {code}}`. */
export const OAuthErrorBody = Type.Object(
  {
    error: Type.String({ examples: ['invalid_client', 'invalid_scope', 'unsupported_grant_type', 'invalid_request', 'rate_limited'] }),
    error_description: Type.String(),
  },
  { description: 'The error body of the OAuth endpoints (RFC 6749 §5.2, RFC 6750 §3).' },
);
export type OAuthErrorBody = Static<typeof OAuthErrorBody>;

/** `POST /v1/oauth/introspect` (RFC 7662), form or JSON. */
export const IntrospectRequest = Type.Object(
  {
    token: Param(8192),
    token_type_hint: Type.Optional(Param(64)),
  },
  {
    additionalProperties: false,
    examples: [{ token: 'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJrZXlfMlZxOWIxYzB0R2szeUU4d1F4In0.c2lnbmF0dXJl', token_type_hint: 'access_token' }],
  },
);
export type IntrospectRequest = Static<typeof IntrospectRequest>;

/** RFC 7662 answer: `{active: false}` alone, or the token's claims. */
export const IntrospectResponse = Type.Object(
  {
    active: Type.Boolean(),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    sub: Type.Optional(Type.String()),
    aud: Type.Optional(Type.String()),
    iss: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    jti: Type.Optional(Type.String()),
    token_type: Type.Optional(Type.Literal('Bearer')),
    org_id: Type.Optional(Type.String()),
  },
  { title: 'IntrospectResponse' },
);
export type IntrospectResponse = Static<typeof IntrospectResponse>;

/** A key that signs (or signed) access tokens: public facts only. */
export const SigningKey = Type.Object(
  {
    kid: Type.String(),
    alg: Type.String(),
    created_at: Timestamp,
    retired_at: Nullable(Timestamp),
  },
  { title: 'SigningKey' },
);
export type SigningKey = Static<typeof SigningKey>;

/** `GET /v1/signing-keys`: newest first. */
export const SigningKeyList = Type.Object({ data: Type.Array(SigningKey) }, { title: 'SigningKeyList' });
export type SigningKeyList = Static<typeof SigningKeyList>;

/** `GET /.well-known/jwks.json` (RFC 7517). */
export const Jwks = Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }, { title: 'Jwks' });
export type Jwks = Static<typeof Jwks>;

/** RFC 8414 authorization server metadata (also served as OpenID discovery). */
export const AuthorizationServerMetadata = Type.Object(
  {
    issuer: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    introspection_endpoint: Type.String(),
    grant_types_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    introspection_endpoint_auth_methods_supported: Type.Array(Type.String()),
  },
  { additionalProperties: true, title: 'AuthorizationServerMetadata' },
);
export type AuthorizationServerMetadata = Static<typeof AuthorizationServerMetadata>;
