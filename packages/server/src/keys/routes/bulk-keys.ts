import { BulkRevokeBody, BulkRevokeResult, ExportKeysPage, ExportKeysQuery, ImportKeysBody, ImportKeysResult } from '@keymint/api';
import { defineEndpoint, requestActor } from '../../http/endpoint.js';
import { errorResponses } from '../../http/route-schema.js';
import type { Services } from '../../http/types.js';

/** A full import batch: 1,000 items with names, scopes and some metadata fit; the server's default limit (64 KiB) would not. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

/** `POST /v1/keys/import`: brings in up to 1,000 keys issued elsewhere, by secret or SHA-256 digest, in one transaction. */
export const importKeys = ({ keyBulk }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys/import',
    operationId: 'importKeys',
    summary: 'Import API keys',
    description:
      'Brings in keys issued elsewhere without re-issuing them: each item gives its plaintext `secret` (hashed on arrival, never stored) or its SHA-256 `hash`. ' +
      'Answers per item, by index: the new key id, or why it failed (`conflict` when its secret is already stored or given twice).',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    bodyLimit: IMPORT_BODY_LIMIT,
    schema: { body: ImportKeysBody, response: { 200: ImportKeysResult, ...errorResponses } },
    handler: (call) => keyBulk.import(requestActor(call), call.body.keys),
  });

/** `POST /v1/keys/bulk-revoke`: revokes every key a selector matches that the caller may manage. */
export const bulkRevokeKeys = ({ keyBulk }: Services) =>
  defineEndpoint({
    method: 'POST',
    path: '/v1/keys/bulk-revoke',
    operationId: 'bulkRevokeKeys',
    summary: 'Revoke API keys in bulk',
    description:
      'Revokes every key matching all the selectors given (`ids`, `organization_id`, `user_id`, `query`) that the caller may manage and that is not revoked yet, ' +
      'each with its own audit event; `dry_run` only counts them.',
    tags: ['keys'],
    access: { permission: 'keys:write', delegated: true },
    errors: 'contract',
    schema: { body: BulkRevokeBody, response: { 200: BulkRevokeResult, ...errorResponses } },
    handler: (call) => keyBulk.bulkRevoke(requestActor(call), call.body),
  });

/**
 * `GET /v1/keys/export`: the keys that still verify, with their stored digests, for `keymint
 * export`. Root keys holding `keys:write` only (never sessions or tokens): a digest is not a
 * secret, but it is kept out of every other read.
 */
export const exportKeys = ({ keyBulk }: Services) =>
  defineEndpoint({
    method: 'GET',
    path: '/v1/keys/export',
    operationId: 'exportKeys',
    summary: 'Export API keys',
    description:
      'Answers the enabled, unrevoked keys in id order as import items, each with its stored SHA-256 digest (never a secret), for re-import into another Keymint. ' +
      'Root keys with `keys:write` only.',
    tags: ['keys'],
    access: { permission: 'keys:write' },
    errors: 'contract',
    schema: { querystring: ExportKeysQuery, response: { 200: ExportKeysPage, ...errorResponses } },
    handler: (call) => keyBulk.export(call.query),
  });
