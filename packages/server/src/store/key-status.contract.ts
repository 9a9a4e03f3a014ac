import { describe, expect, it } from 'vitest';
import { auditRecord, digest, keyRecord, T0 } from './contract-fixtures.js';
import { statusOf } from './key-status.js';
import type { KeyStatus } from '@keymint/api';
import type { KeyRecord, Store } from './store.js';

const STATUSES: KeyStatus[] = ['active', 'disabled', 'expired', 'revoked'];
const TIMES = [null, T0 - 1, T0, T0 + 1];
const label = (at: number | null) => (at === null ? 'never' : at === T0 ? 'now' : at < T0 ? 'before' : 'after');

/**
 * The key status part of the store contract (see `storeContract`): the list's status filter
 * (SQL) and `statusOf` (TypeScript) give every key the same status, on every boundary.
 */
export function keyStatusContract(current: () => Store): void {
  describe('key status', () => {
    it('filters each key under the status statusOf gives it, at every boundary of revocation, expiry and disabling', async () => {
      const store = current();
      const keys: KeyRecord[] = [];
      for (const revokedAt of TIMES) {
        for (const expiresAt of TIMES) {
          for (const enabled of [true, false]) {
            const name = `revoked ${label(revokedAt)}, expires ${label(expiresAt)}, ${enabled ? 'enabled' : 'disabled'}`;
            keys.push(keyRecord({ name, revokedAt, expiresAt, enabled }));
          }
        }
      }
      for (const key of keys) await store.insertKey(key, digest(), auditRecord({ keyId: key.id }));
      const at = (now: number, name: string) =>
        statusOf(
          keys.find((key) => key.name === name)!,
          now,
        );
      // The rule itself: revocation over expiry over disabling, expiry at its exact millisecond.
      expect(at(T0, 'revoked never, expires now, enabled')).toBe('expired');
      expect(at(T0, 'revoked never, expires after, disabled')).toBe('disabled');
      expect(at(T0, 'revoked now, expires before, disabled')).toBe('revoked');
      expect(at(T0, 'revoked never, expires now, disabled')).toBe('expired');
      expect(at(T0 - 1, 'revoked never, expires now, enabled')).toBe('active');
      for (const now of [T0 - 1, T0, T0 + 1]) {
        for (const status of STATUSES) {
          const { keys: listed, total } = await store.listKeys({ status, now, offset: 0, limit: 100 });
          const expected = keys.filter((key) => statusOf(key, now) === status).map((key) => key.name);
          expect(listed.map((key) => key.name).sort(), `${status} at T0${now - T0 || ''}`).toEqual(expected.sort());
          expect(total).toBe(expected.length);
        }
      }
    });
  });
}
