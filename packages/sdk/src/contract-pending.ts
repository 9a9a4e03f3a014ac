import type { VerifyCode } from '@keymint/api';
import type { Camelize } from './case.js';

// Wire shapes of routes whose schemas @keymint/api does not export yet (OAuth client
// credentials, introspection, usage), written from the contract (API.md). When the package
// exports them, these become `Camelize<Static<…>>` aliases like the ones in types.ts.

/** RFC 6749 token answer of `POST /v1/oauth/token`. */
interface TokenWire {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 7662 introspection answer of `POST /v1/oauth/introspect`. */
interface IntrospectionWire {
  active: boolean;
  scope?: string;
  client_id?: string;
  sub?: string;
  aud?: string | string[];
  iss?: string;
  exp?: number;
  iat?: number;
  jti?: string;
  org_id?: string;
  token_type?: string;
}

/** Answer of `GET /v1/keys/{id}/usage`: verification counts per time bucket, split by code. */
interface UsageWire {
  key_id: string;
  granularity: 'hour' | 'day';
  from: string;
  to: string;
  buckets: { start: string; total: number; counts: Partial<Record<VerifyCode, number>> }[];
}

/** `tokens.clientCredentials` input: the key id and secret, and optionally fewer scopes. */
export interface ClientCredentialsParams {
  clientId: string;
  clientSecret: string;
  /** Space-separated subset of the key's scopes. */
  scope?: string;
}

/** An access token, with the moment (ms since epoch, local clock) it expires. */
export type AccessToken = Camelize<TokenWire> & { expiresAt: number };
/** Introspection answer: `active: false` for a token of a revoked or deleted key. */
export type TokenIntrospection = Camelize<IntrospectionWire>;
/** `usage.get` input. */
export interface GetUsageParams {
  from?: string;
  to?: string;
  granularity?: 'hour' | 'day';
}
/** `usage.get` answer. */
export type KeyUsage = Camelize<UsageWire>;
