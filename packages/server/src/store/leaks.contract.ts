import { beforeEach, describe, expect, it } from 'vitest';
import { auditRecord, digest, keyRecord, T0 } from './contract-fixtures.js';
import type { KeyRecord, Store } from './store.js';

/**
 * The leak part of the store contract (see `storeContract`, which runs it on each
 * implementation): the batched digest lookup, the distinct prefixes and the leak fields.
 */
export function leaksContract(current: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });
  const insert = async (overrides: Partial<KeyRecord> = {}) => {
    const key = keyRecord(overrides);
    const secret = digest();
    await store.insertKey(key, secret, auditRecord({ keyId: key.id }));
    return { key, secret };
  };

  describe('leaks', () => {
    it('finds the keys of many digests in one call, current and replaced secrets, and leaves out unknown ones', async () => {
      const a = await insert();
      const b = await insert();
      const rotated = digest();
      await store.changeKey(b.key.id, (current) => ({
        key: { ...current, rotatedAt: T0 + 1 },
        rotation: { digest: rotated, previousValidUntil: T0 + 60_000 },
        audit: auditRecord({ action: 'key.rotated', keyId: b.key.id }),
      }));
      const unknown = Array.from({ length: 1500 }, () => digest());
      const found = await store.findKeyIdsByDigests([...unknown, a.secret, b.secret, rotated, a.secret]);
      expect(Object.fromEntries(found)).toEqual({
        [a.secret]: { keyId: a.key.id, validUntil: null },
        [b.secret]: { keyId: b.key.id, validUntil: T0 + 60_000 },
        [rotated]: { keyId: b.key.id, validUntil: null },
      });
      expect((await store.findKeyIdsByDigests([])).size).toBe(0);
    });

    it('lists the distinct prefixes of stored keys, sorted', async () => {
      expect(await store.listKeyPrefixes()).toEqual([]);
      for (const prefix of ['km', 'zz9', 'km', 'acme']) await insert({ prefix });
      expect(await store.listKeyPrefixes()).toEqual(['acme', 'km', 'zz9']);
    });

    it('stores and reads back when a key leaked and where', async () => {
      const { key, secret } = await insert();
      const leaked = { ...key, leakedAt: T0 + 5, leakSourceUrl: 'https://github.com/o/r/blob/main/.env', revokedAt: T0 + 5, revocationReason: 'leaked' };
      await store.changeKey(key.id, () => ({ key: leaked, audit: auditRecord({ action: 'key.leaked', keyId: key.id }) }));
      expect(await store.getKey(key.id)).toEqual(leaked);
      expect((await store.findKeyByDigest(secret))?.key).toEqual(leaked);
    });
  });
}
