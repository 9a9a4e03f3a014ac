import { beforeEach, describe, expect, it } from 'vitest';
import { auditRecord, digest, keyRecord, T0 } from './contract-fixtures.js';
import type { KeyImport, KeyRecord, Store } from './store.js';

const page = { now: T0, offset: 0, limit: 1 };

/**
 * The many-keys part of the store contract (see `storeContract`, which runs it on each
 * implementation): imports, bulk changes and the export listing. `current` answers the fresh
 * store of the running test.
 */
export function keyBulkContract(current: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });
  const item = (overrides: Partial<KeyRecord> = {}, secret = digest()): KeyImport => {
    const key = keyRecord(overrides);
    return { key, digest: secret, audit: auditRecord({ action: 'key.imported', keyId: key.id, organizationId: key.organizationId }) };
  };
  const total = async (organizationId?: string) => (await store.listKeys({ ...page, organizationId })).total;
  // Counted from the rows (a name search does not use the maintained counters).
  const counted = async (organizationId: string) => (await store.listKeys({ ...page, organizationId, nameContains: 'i', limit: 2000 })).total;
  const events = async (action: 'key.imported' | 'key.revoked') => (await store.listAuditEvents({ action, offset: 0, limit: 2000 })).total;

  describe('importKeys', () => {
    it('inserts every key with its digest and audit event, keeping the counts exact', async () => {
      const items = Array.from({ length: 1000 }, (_, i) => item({ organizationId: i % 2 ? 'org_odd' : 'org_even', userId: `u_${i % 7}` }));
      expect(await store.importKeys(items)).toEqual(items.map(() => true));
      expect(await store.findKeyByDigest(items[999].digest)).toEqual({ key: items[999].key, validUntil: null });
      expect(await total('org_odd')).toBe(500);
      expect(await counted('org_odd')).toBe(500);
      expect(await total()).toBe(1000);
      expect((await store.listKeys({ ...page, userId: 'u_3' })).total).toBe(items.filter((x) => x.key.userId === 'u_3').length);
      expect(await events('key.imported')).toBe(1000);
    });

    it('leaves out, per item, a digest already stored or taken earlier in the batch', async () => {
      const stored = item();
      await store.importKeys([stored]);
      const again = item({}, stored.digest);
      const first = item({ organizationId: 'org_dup' });
      const twin = item({ organizationId: 'org_dup' }, first.digest);
      const fresh = item({ organizationId: 'org_dup' });
      expect(await store.importKeys([again, first, twin, fresh])).toEqual([false, true, false, true]);
      expect(await store.getKey(again.key.id)).toBeNull();
      expect(await store.getKey(twin.key.id)).toBeNull();
      expect((await store.findKeyByDigest(first.digest))?.key.id).toBe(first.key.id);
      expect(await total('org_dup')).toBe(2);
      expect(await events('key.imported')).toBe(3);
    });

    it('gives each digest to exactly one of concurrent imports, leaving no key behind for the others', async () => {
      const digests = Array.from({ length: 50 }, () => digest());
      const batches = Array.from({ length: 4 }, () => digests.map((d) => item({ organizationId: 'org_race' }, d)));
      const outcomes = await Promise.all(batches.map((batch) => store.importKeys(batch)));
      for (let i = 0; i < digests.length; i++) expect(outcomes.filter((outcome) => outcome[i]).length).toBe(1);
      expect(await total('org_race')).toBe(50);
      expect(await counted('org_race')).toBe(50);
    });

    it('writes nothing of a batch whose write fails', async () => {
      const taken = item();
      await store.importKeys([taken]);
      const batch = [item({ organizationId: 'org_failed' }), { ...item({ organizationId: 'org_failed' }), audit: { ...taken.audit } }];
      await expect(store.importKeys(batch)).rejects.toThrow();
      expect(await store.getKey(batch[0].key.id)).toBeNull();
      expect(await store.findKeyByDigest(batch[0].digest)).toBeNull();
      expect(await total('org_failed')).toBe(0);
    });
  });

  describe('changeKeys', () => {
    const revoke = (current: KeyRecord) => ({ key: { ...current, revokedAt: T0 + 1 }, audit: auditRecord({ action: 'key.revoked', keyId: current.id }) });

    it("changes every key matching all the selectors, beyond one transaction's share, each with its audit event", async () => {
      const many = Array.from({ length: 1100 }, (_, i) => item({ organizationId: 'org_bulk', name: i % 2 ? 'CI runner' : 'web' }));
      await store.importKeys(many.slice(0, 1000));
      await store.importKeys(many.slice(1000));
      await store.importKeys([item({ organizationId: 'org_other', name: 'CI runner' })]);
      const { matched, changed } = await store.changeKeys({ organizationId: 'org_bulk', nameContains: 'ci run', notRevoked: true }, revoke);
      expect(matched).toBe(550);
      expect(changed).toHaveLength(550);
      expect(changed.every((key) => key.revokedAt === T0 + 1 && key.name === 'CI runner')).toBe(true);
      expect((await store.listKeys({ ...page, organizationId: 'org_bulk', status: 'revoked' })).total).toBe(550);
      expect((await store.listKeys({ ...page, organizationId: 'org_other', status: 'revoked' })).total).toBe(0);
      expect(await events('key.revoked')).toBe(550);
      // Revoked keys are no longer matched by a selection of unrevoked keys.
      expect(await store.changeKeys({ organizationId: 'org_bulk', nameContains: 'ci run', notRevoked: true }, revoke)).toEqual({ matched: 0, changed: [] });
    });

    it('selects by ids and by the owners a delegated caller may manage; decide answering null changes nothing', async () => {
      const own = item({ userId: 'u_1' });
      const admin = item({ organizationId: 'org_admin' });
      const outside = item({ organizationId: 'org_outside' });
      await store.importKeys([own, admin, outside]);
      const ids = [own.key.id, admin.key.id, outside.key.id, 'key_missing'];
      const owners = { userId: 'u_1', organizationIds: ['org_admin'] };
      expect(await store.changeKeys({ ids, owners }, () => null)).toEqual({ matched: 2, changed: [] });
      expect(await events('key.revoked')).toBe(0);
      const { changed } = await store.changeKeys({ ids: [outside.key.id, admin.key.id] }, revoke);
      expect(changed.map((key) => key.id).sort()).toEqual([outside.key.id, admin.key.id].sort());
      expect((await store.getKey(own.key.id))?.revokedAt).toBeNull();
    });
  });

  describe('exportKeys', () => {
    it('pages the enabled, unrevoked keys in id order with their current digests', async () => {
      const items = Array.from({ length: 5 }, () => item({ organizationId: 'org_export' }));
      const disabled = item({ organizationId: 'org_export', enabled: false });
      const revoked = item({ organizationId: 'org_export', revokedAt: T0 });
      await store.importKeys([...items, disabled, revoked, item({ organizationId: 'org_elsewhere' })]);
      const rotated = digest();
      await store.changeKey(items[0].key.id, (key) => ({ key, rotation: { digest: rotated, previousValidUntil: T0 + 60_000 }, audit: auditRecord() }));
      const seen: { key: KeyRecord; digest: string }[] = [];
      for (let after: string | undefined; ;) {
        const rows = await store.exportKeys({ organizationId: 'org_export', notRevoked: true }, after, 2);
        seen.push(...rows);
        if (rows.length < 2) break;
        after = rows[1].key.id;
      }
      const byId = [...items].sort((a, b) => (a.key.id < b.key.id ? -1 : 1));
      expect(seen.map((row) => row.key.id)).toEqual(byId.map((x) => x.key.id));
      expect(seen.find((row) => row.key.id === items[0].key.id)?.digest).toBe(rotated);
      expect(seen.find((row) => row.key.id === items[1].key.id)).toEqual({ key: items[1].key, digest: items[1].digest });
    });
  });
}
