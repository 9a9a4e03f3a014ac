import type {
  CreateWebhookBody,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryList,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookSecret,
  AuditEventList,
  BulkRevokeBody,
  BulkRevokeResult,
  ExportedKey,
  ExportKeysPage,
  ExportKeysQuery,
  ImportKeyItem,
  ImportKeysResult,
  CreateKeyBody,
  CreateRootKeyBody,
  CreateSessionBody,
  Key,
  KeyList,
  KeyWithSecret,
  LeakPattern,
  LeakReceipt,
  LeakReportBody,
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
  KeyUsage,
  KeyUsageQuery,
  Usage,
  UsageQuery,
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

/** One `keys.import` item: a key issued elsewhere, by `secret` (hashed on arrival) or `hash`. */
export type ImportKeyParams = Camelize<ImportKeyItem>;
/** `keys.import` answer: `{ imported: [{index, id}], failed: [{index, error: {code, message}}] }`. */
export type ImportKeysResponse = Camelize<ImportKeysResult>;
/** `keys.bulkRevoke` input: the selectors (at least one), `reason`, `dryRun`. */
export type BulkRevokeParams = Camelize<BulkRevokeBody>;
/** `keys.bulkRevoke` answer: `{ matched, revoked }`. */
export type BulkRevokeResponse = Camelize<BulkRevokeResult>;
/** `keys.export` input. */
export type ExportKeysParams = Camelize<ExportKeysQuery>;
/** One exported key: an import item with its stored digest, never a secret. */
export type ExportedApiKey = Camelize<ExportedKey>;
/** A page of exported keys; `nextAfter` continues (null: done). */
export type ExportKeysPageInfo = Camelize<ExportKeysPage>;

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

/** A webhook endpoint (never its secret). */
export type WebhookInfo = Camelize<WebhookEndpoint>;
/** `webhooks.create` answer: the endpoint and its signing secret, shown once. */
export type WebhookWithSecretInfo = Camelize<WebhookEndpointWithSecret>;
/** `webhooks.create` input. */
export type CreateWebhookParams = Camelize<CreateWebhookBody>;
/** `webhooks.update` input. */
export type UpdateWebhookParams = Camelize<UpdateWebhookBody>;
/** `webhooks.list` input. */
export type ListWebhooksParams = Camelize<ListWebhooksQuery>;
/** `webhooks.list` answer, newest first. */
export type WebhookPage = Camelize<WebhookEndpointList>;
/** `webhooks.rotateSecret` answer. */
export type WebhookSecretInfo = Camelize<WebhookSecret>;
/** One message's delivery to an endpoint. */
export type WebhookDeliveryInfo = Camelize<WebhookDelivery>;
/** `webhooks.deliveries` input. */
export type ListWebhookDeliveriesParams = Camelize<ListDeliveriesQuery>;
/** `webhooks.deliveries` answer, newest first. */
export type WebhookDeliveryPage = Camelize<WebhookDeliveryList>;
/** `leaks.report` input: the secrets found (1–100) and where. */
export type ReportLeaksParams = Camelize<LeakReportBody>;
/** `leaks.report` answer: how many secrets were received (the same whatever was found). */
export type LeakReceiptInfo = Camelize<LeakReceipt>;
/** `leaks.pattern` answer: the scanner regex and the prefixes it covers. */
export type LeakPatternInfo = Camelize<LeakPattern>;
/** `usage.get` input: the range (`from`, `to`, RFC 3339) and `granularity` (minute, hour, day). */
export type KeyUsageParams = Camelize<KeyUsageQuery>;
/** `usage.get` answer: every bucket of the range, zero ones included, oldest first. */
export type KeyUsageInfo = Camelize<KeyUsage>;
/** `usage.query` input: owners, range, granularity and `groupBy`. */
export type UsageParams = Camelize<UsageQuery>;
/** `usage.query` answer: buckets and, with `groupBy`, the largest groups. */
export type UsageInfo = Camelize<Usage>;
/** `keys.credits` / `organizations.credits`: `set`, `increment` or `decrement` (stops at 0) a balance. */
export type CreditsChangeParams = Camelize<CreditsChangeBody>;
/** An organization's shared rate limits and credit pool. */
export type OrganizationLimitsInfo = Camelize<OrganizationLimits>;
/** `organizations.setLimits`: the fields given replace the current ones (`credits: null` removes the pool). */
export type SetOrganizationLimitsParams = Camelize<OrganizationLimitsBody>;
