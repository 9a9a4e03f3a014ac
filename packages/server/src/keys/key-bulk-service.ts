import type { BulkRevokeBody, BulkRevokeResult, ExportKeysPage, ExportKeysQuery, ImportKeyItem, ImportKeysResult } from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import { assertCanCreate, assertCanGiveScopes, manageScope } from '../auth/access-policy.js';
import { actorOf } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { conflict, DomainError } from '../errors.js';
import { newId } from '../ids.js';
import type { KeyImport, KeySelection, Store } from '../store/store.js';
import { importedKey } from './imported-key.js';
import type { InvalidationBus } from './invalidation-bus.js';
import { keyChangeEvent } from './key-events.js';
import { revokedKey } from './policy.js';
import { exportedKey, presentKey } from './present.js';
import type { Invalidation, VerifyCache } from './verify-cache.js';

/** What the bulk operations need, passed in. */
export interface KeyBulkServiceDeps {
  store: Store;
  clock: Clock;
  cache: VerifyCache;
  bus: InvalidationBus;
}

type Failure = ImportKeysResult['failed'][number];

const failureOf = (index: number, error: DomainError): Failure => ({ index, error: { code: error.code, message: error.message } });

/**
 * Keys by the thousand: import (keys issued elsewhere, by secret or digest), bulk revoke and
 * export. Each item or key follows the rules of its one-key operation (authorization, audit
 * event, cache invalidation on every instance); the store writes them in few transactions.
 */
export class KeyBulkService {
  constructor(private readonly deps: KeyBulkServiceDeps) {}

  /**
   * Imports `items` in one transaction. An item the caller may not create, that breaks a rule, or
   * whose secret is already stored (or given twice in the batch) fails alone, with its index.
   */
  async import(actor: Actor, items: readonly ImportKeyItem[]): Promise<ImportKeysResult> {
    const now = this.deps.clock.now();
    const failed: Failure[] = [];
    const prepared: { index: number; item: KeyImport }[] = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      try {
        const one = this.prepare(actor, item, now);
        if (seen.has(one.digest)) throw conflict('Another item of this import has the same secret.');
        seen.add(one.digest);
        prepared.push({ index, item: one });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        failed.push(failureOf(index, error));
      }
    });
    const inserted = prepared.length ? await this.deps.store.importKeys(prepared.map((p) => p.item)) : [];
    const imported: ImportKeysResult['imported'] = [];
    prepared.forEach(({ index, item }, i) => {
      if (inserted[i]) imported.push({ index, id: item.key.id });
      else failed.push(failureOf(index, conflict('A key with this secret already exists.')));
    });
    // A foreign secret tried before its import may sit in the negative caches.
    await Promise.all(prepared.filter((_, i) => inserted[i]).map(({ item }) => this.invalidate({ digest: item.digest })));
    failed.sort((a, b) => a.index - b.index);
    return { imported, failed };
  }

  /**
   * Revokes every key the selector matches that the caller may manage and that is not revoked
   * yet, each with its own `key.revoked` event, as a single revoke writes it; a dry run counts them.
   */
  async bulkRevoke(actor: Actor, body: BulkRevokeBody): Promise<BulkRevokeResult> {
    const now = this.deps.clock.now();
    const reason = body.reason ?? null;
    const { matched, changed } = await this.deps.store.changeKeys(this.selection(actor, body), (current) => {
      if (body.dry_run) return null;
      const next = revokedKey(current, reason, now);
      return next && { key: next, audit: keyChangeEvent(actor, 'key.revoked', current, next, now) };
    });
    await Promise.all(changed.map((key) => this.invalidate({ keyId: key.id })));
    return { matched, revoked: changed.length };
  }

  /** One page of the keys that still verify (neither revoked nor disabled), as re-importable items with their digests. */
  async export(query: ExportKeysQuery): Promise<ExportKeysPage> {
    const now = this.deps.clock.now();
    const limit = query.limit ?? 500;
    const rows = await this.deps.store.exportKeys({ organizationId: query.organization_id, notRevoked: true }, query.after, limit);
    return { data: rows.map(({ key, digest }) => exportedKey(key, digest, now)), next_after: rows.length === limit ? rows[rows.length - 1].key.id : null };
  }

  private prepare(actor: Actor, item: ImportKeyItem, now: number): KeyImport {
    const { principal } = actor;
    const owner = {
      organizationId: item.organization_id ?? null,
      userId: item.user_id ?? (principal.type === 'session' && !item.organization_id ? principal.userId : null),
    };
    assertCanCreate(principal, owner);
    assertCanGiveScopes(principal, item.scopes ?? []);
    const { key, digest } = importedKey(item, owner, { id: newId('key'), createdBy: actorOf(principal).id }, now);
    const audit = auditEvent(actor, 'key.imported', { organizationId: key.organizationId, keyId: key.id }, { after: presentKey(key, now) }, now);
    return { key, digest, audit };
  }

  private selection(actor: Actor, body: BulkRevokeBody): KeySelection {
    return {
      ids: body.ids,
      organizationId: body.organization_id,
      userId: body.user_id,
      nameContains: body.query,
      owners: manageScope(actor.principal),
      notRevoked: true,
    };
  }

  /** Drops cached state here and tells the other instances to do the same. */
  private async invalidate(invalidation: Invalidation): Promise<void> {
    this.deps.cache.invalidate(invalidation);
    await this.deps.bus.publish(invalidation);
  }
}
