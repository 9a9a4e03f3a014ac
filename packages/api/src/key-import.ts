import { Type, type Static } from '@sinclair/typebox';
import { exclusive, ExternalId, Nullable, RequestedTimestamp } from './common.js';
import { CreateKeyBody, CreditsInput, Key } from './keys.js';

/** Most keys one import (or one id list of a bulk revoke) carries. */
export const MAX_IMPORT_ITEMS = 1000;

/** Longest secret accepted, as verify accepts (`VerifyKeyBody.key`). */
export const MAX_SECRET_LENGTH = 512;

/** The SHA-256 digest of a secret issued elsewhere, as its system stored it. */
export const ImportedHash = Type.Object(
  {
    algorithm: Type.Literal('sha256'),
    encoding: Type.Union([Type.Literal('hex'), Type.Literal('base64'), Type.Literal('base64url')]),
    value: Type.String({ minLength: 1, maxLength: 100, description: 'SHA-256 of the whole secret string as clients send it, in `encoding`.' }),
  },
  { additionalProperties: false },
);
export type ImportedHash = Static<typeof ImportedHash>;

/**
 * What an imported key may say of itself besides its secret: the create body's fields (so limits
 * and credits are declared once, in `CreateKeyBody`), but a given expiry instead of a relative one
 * and no prefix (the secret already exists).
 */
const importedFields = {
  ...Type.Omit(CreateKeyBody, ['prefix', 'expires_at', 'seconds_until_expiration']).properties,
  expires_at: Type.Optional(Nullable(RequestedTimestamp)),
  created_at: Type.Optional(RequestedTimestamp),
  start: Type.Optional(Type.String({ maxLength: 12, description: 'The visible head of the secret (default: derived from `secret`, empty for a hash).' })),
};

/** One key issued elsewhere: its fields, and exactly one of its plaintext `secret` or its `hash`. */
export const ImportKeyItem = Type.Object(
  {
    ...importedFields,
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_SECRET_LENGTH, description: 'Hashed on arrival; never stored.' })),
    hash: Type.Optional(ImportedHash),
  },
  {
    additionalProperties: false,
    ...exclusive('secret', 'hash'),
    anyOf: [{ required: ['secret'] }, { required: ['hash'] }],
  },
);
export type ImportKeyItem = Static<typeof ImportKeyItem>;

export const ImportKeysBody = Type.Object(
  { keys: Type.Array(ImportKeyItem, { minItems: 1, maxItems: MAX_IMPORT_ITEMS }) },
  {
    additionalProperties: false,
    examples: [
      {
        keys: [
          { name: 'Legacy billing key', organization_id: 'org_acme', secret: 'sk_live_51Hx0aExampleOnly' },
          {
            name: 'Legacy reports key',
            organization_id: 'org_acme',
            hash: { algorithm: 'sha256', encoding: 'hex', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
          },
        ],
      },
    ],
  },
);
export type ImportKeysBody = Static<typeof ImportKeysBody>;

export const ImportKeysResult = Type.Object(
  {
    imported: Type.Array(Type.Object({ index: Type.Integer({ minimum: 0 }), id: Type.String() })),
    failed: Type.Array(
      Type.Object({
        index: Type.Integer({ minimum: 0 }),
        error: Type.Object({ code: Type.String(), message: Type.String() }),
      }),
    ),
  },
  { title: 'ImportKeysResult', description: 'Per item (by its index in `keys`): the new key id, or why it was not imported.' },
);
export type ImportKeysResult = Static<typeof ImportKeysResult>;

const KeyId = Type.String({ minLength: 1, maxLength: 64 });

/** Which keys a bulk revoke takes: those matching every selector given (ids, owner, name search; at least one). */
export const BulkRevokeBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(KeyId, { minItems: 1, maxItems: MAX_IMPORT_ITEMS, uniqueItems: true })),
    organization_id: Type.Optional(ExternalId),
    user_id: Type.Optional(ExternalId),
    query: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Case-insensitive substring of the name.' })),
    reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
    dry_run: Type.Optional(Type.Boolean({ default: false })),
  },
  {
    additionalProperties: false,
    anyOf: [{ required: ['ids'] }, { required: ['organization_id'] }, { required: ['user_id'] }, { required: ['query'] }],
    examples: [{ organization_id: 'org_acme', reason: 'Offboarding Acme.', dry_run: true }],
  },
);
export type BulkRevokeBody = Static<typeof BulkRevokeBody>;

export const BulkRevokeResult = Type.Object(
  {
    matched: Type.Integer({ minimum: 0, description: 'Keys the selector matches that the caller may manage and that were not revoked yet.' }),
    revoked: Type.Integer({ minimum: 0, description: 'Keys this call revoked (0 on a dry run).' }),
  },
  { title: 'BulkRevokeResult' },
);
export type BulkRevokeResult = Static<typeof BulkRevokeResult>;

/** One key as `GET /v1/keys/export` answers it: an import item (never a secret), with its stored digest. */
export const ExportedKey = Type.Object(
  {
    // The read shape's fields (a response schema, no request rules), as the import item names them.
    ...Type.Pick(Key, ['id', 'name', 'description', 'start', 'scopes', 'metadata', 'expires_at', 'created_at', 'rate_limits']).properties,
    credits: Nullable(CreditsInput),
    organization_id: Type.Optional(Type.String()),
    user_id: Type.Optional(Type.String()),
    hash: ImportedHash,
  },
  { title: 'ExportedKey', description: 'A key as an import item (never its secret), with its stored SHA-256 digest.' },
);
export type ExportedKey = Static<typeof ExportedKey>;

export const ExportKeysQuery = Type.Object(
  {
    organization_id: Type.Optional(ExternalId),
    after: Type.Optional(Type.String({ maxLength: 64, description: 'The last id of the previous page.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_IMPORT_ITEMS, default: 500 })),
  },
  { additionalProperties: false },
);
export type ExportKeysQuery = Static<typeof ExportKeysQuery>;

export const ExportKeysPage = Type.Object(
  { data: Type.Array(ExportedKey), next_after: Type.Union([Type.String(), Type.Null()]) },
  { title: 'ExportKeysPage', description: 'Keys in id order; `next_after` continues the listing (null: done).' },
);
export type ExportKeysPage = Static<typeof ExportKeysPage>;
