import type {
  AuditEventList,
  CreateKeyBody,
  CreateRootKeyBody,
  CreateSessionBody,
  Key,
  KeyList,
  KeyWithSecret,
  ListAuditEventsQuery,
  ListKeysQuery,
  IntrospectResponse,
  ListRootKeysQuery,
  RevokeKeyBody,
  RootKey,
  RootKeyList,
  RootKeyWithSecret,
  RotateKeyBody,
  RevokedSessions,
  RevokeSessionsBody,
  Session,
  TokenRequest,
  TokenResponse,
  UpdateKeyBody,
  VerifyCode,
  VerifyKeyBody,
  VerifyKeyResult,
  AuditEvent,
  SigningKey,
  SigningKeyList,
  CreditsChangeBody,
  OrganizationLimits,
  OrganizationLimitsBody,
} from '@keymint/api';
import type { Camelize } from './case.js';

// Every type here is the contract's own (from @keymint/api), seen in camelCase: none is copied by hand.

/** An API key as reads answer it (never the secret). */
export type ApiKey = Camelize<Key>;
/** An API key with its secret: only from create and rotate. */
export type ApiKeyWithSecret = Camelize<KeyWithSecret>;
/** `keys.create` input. */
export type CreateKeyParams = Camelize<CreateKeyBody>;
/** `keys.list` input: filters and paging. */
export type ListKeysParams = Camelize<ListKeysQuery>;
/** A page of keys: `{ data, totalCount, page, pageSize }`. */
export type ApiKeyPage = Camelize<KeyList>;
/** `keys.update` input: only the fields to change. */
export type UpdateKeyParams = Camelize<UpdateKeyBody>;
/** `keys.rotate` input. */
export type RotateKeyParams = Camelize<RotateKeyBody>;
/** `keys.revoke` input. */
export type RevokeKeyParams = Camelize<RevokeKeyBody>;
/** `keys.verify` input. */
export type VerifyKeyParams = Camelize<VerifyKeyBody>;
/** `keys.verify` answer: the outcome is data, `code` says which. */
export type VerifyKeyResponse = Camelize<VerifyKeyResult>;
/** One verify outcome (`VALID`, `NOT_FOUND`, …). */
export type VerifyOutcome = VerifyCode;

/** A root key as reads answer it. */
export type RootKeyInfo = Camelize<RootKey>;
/** A root key with its secret: only from create and rotate. */
export type RootKeyWithSecretInfo = Camelize<RootKeyWithSecret>;
/** `rootKeys.create` input. */
export type CreateRootKeyParams = Camelize<CreateRootKeyBody>;
/** `rootKeys.list` input. */
export type ListRootKeysParams = Camelize<ListRootKeysQuery>;
/** A page of root keys. */
export type RootKeyPage = Camelize<RootKeyList>;

/** `sessions.create` input. */
export type CreateSessionParams = Camelize<CreateSessionBody>;
/** A session for one end user: its id, token and expiry. */
export type SessionToken = Camelize<Session>;
/** `sessions.revokeForUser` body. */
export type RevokeSessionsParams = Camelize<RevokeSessionsBody>;
/** How many sessions `sessions.revokeForUser` ended. */
export type RevokedSessionsInfo = Camelize<RevokedSessions>;

/** `audit.list` input. */
export type ListAuditEventsParams = Camelize<ListAuditEventsQuery>;
/** One audit event. */
export type AuditEventInfo = Camelize<AuditEvent>;
/** A page of audit events. */
export type AuditEventPage = Camelize<AuditEventList>;

/** `tokens.clientCredentials` input: the key id and secret (sent as HTTP Basic), and optionally fewer scopes (space-separated). */
export type ClientCredentialsParams = Camelize<Required<Pick<TokenRequest, 'client_id' | 'client_secret'>> & Pick<TokenRequest, 'scope'>>;
/** An access token, with the moment (ms since epoch, local clock) it expires. */
export type AccessToken = Camelize<TokenResponse> & { expiresAt: number };
/** `tokens.introspect` answer: `active: false` (and nothing more) for a token of a revoked or deleted key. */
export type TokenIntrospection = Camelize<IntrospectResponse>;

/** A key that signs (or signed) access tokens. */
export type SigningKeyInfo = Camelize<SigningKey>;
/** `signingKeys.list` answer, newest first. */
export type SigningKeyPage = Camelize<SigningKeyList>;

/** `keys.credits` / `organizations.credits`: `set`, `increment` or `decrement` (stops at 0) a balance. */
export type CreditsChangeParams = Camelize<CreditsChangeBody>;
/** An organization's shared rate limits and credit pool. */
export type OrganizationLimitsInfo = Camelize<OrganizationLimits>;
/** `organizations.setLimits`: the fields given replace the current ones (`credits: null` removes the pool). */
export type SetOrganizationLimitsParams = Camelize<OrganizationLimitsBody>;
