import { beforeEach, describe, expect, it } from 'vitest';
import { auditRecord, digest, insertMintedSession, rootKeyRecord, sessionRecord, T0 } from './contract-fixtures.js';
import type { AuditRecord, SessionRecord, Store } from './store.js';

/**
 * The root key, session and audit part of the store contract (see `storeContract`, which runs it
 * on each implementation). `current` answers the fresh store of the running test.
 */
export function credentialsContract(current: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });
  const insertSession = (session: SessionRecord, audit: AuditRecord) => insertMintedSession(store, session, audit);

  describe('root keys, sessions, audit', () => {
    it('stores, lists newest first, counts, changes, touches and deletes root keys', async () => {
      const a = rootKeyRecord({ name: 'a' });
      const b = rootKeyRecord({ name: 'b', permissions: ['*'] });
      await store.insertRootKey(a, null);
      await store.insertRootKey(b, auditRecord({ action: 'root_key.created' }));
      expect(await store.getRootKey(a.id)).toEqual(a);
      expect(await store.findRootKeyByDigest(b.digest)).toEqual(b);
      expect(await store.countRootKeys()).toBe(2);
      const listed = await store.listRootKeys(0, 10);
      expect(listed.rootKeys.map((r) => r.name)).toEqual(['b', 'a']);
      expect(listed.total).toBe(2);
      const next = { ...a, digest: digest(), rotatedAt: T0 + 1 };
      expect(await store.changeRootKey(a.id, () => ({ rootKey: next, audit: auditRecord({ action: 'root_key.rotated' }) }))).toEqual(next);
      expect(await store.findRootKeyByDigest(a.digest)).toBeNull();
      await store.touchRootKeys(new Map([[a.id, T0 + 9]]));
      await store.touchRootKeys(new Map([[a.id, T0 + 1]]));
      expect((await store.getRootKey(a.id))?.lastUsedAt).toBe(T0 + 9);
      expect(await store.deleteRootKey(b.id, () => [auditRecord({ action: 'root_key.deleted' })])).toEqual(b);
      expect(await store.getRootKey(b.id)).toBeNull();
      expect(
        await store.changeRootKey(b.id, () => {
          throw new Error('not asked');
        }),
      ).toBeNull();
      expect(await store.deleteRootKey(b.id, () => [auditRecord()])).toBeNull();
      expect((await store.listAuditEvents({ offset: 0, limit: 10 })).events.map((e) => e.action)).toEqual([
        'root_key.deleted',
        'root_key.rotated',
        'root_key.created',
      ]);
    });

    it('stores sessions and finds them by digest', async () => {
      const session = sessionRecord();
      await insertSession(session, auditRecord({ action: 'session.created' }));
      expect(await store.findSessionByDigest(session.digest)).toEqual(session);
      expect(await store.findSessionByDigest(digest())).toBeNull();
    });

    it('deletes a root key with every session it minted, telling decide what it found; decide throwing changes nothing', async () => {
      const [wild, other, plain] = [rootKeyRecord({ permissions: ['*'] }), rootKeyRecord({ permissions: ['*'] }), rootKeyRecord()];
      for (const rootKey of [wild, other, plain]) await store.insertRootKey(rootKey, null);
      const minted = [sessionRecord({ createdBy: plain.id }), sessionRecord({ createdBy: plain.id, expiresAt: T0 })];
      const unrelated = sessionRecord({ createdBy: wild.id });
      for (const s of [...minted, unrelated]) await insertSession(s, auditRecord({ action: 'session.created' }));
      const seen: unknown[] = [];
      const refused = store.deleteRootKey(plain.id, (current, state) => {
        seen.push(current.id, state.otherWildcardKeys, state.sessions.map((s) => s.id).sort());
        throw new Error('refused');
      });
      await expect(refused).rejects.toThrow('refused');
      expect(seen).toEqual([plain.id, 2, minted.map((s) => s.id).sort()]);
      expect(await store.getRootKey(plain.id)).toEqual(plain);
      expect(await store.findSessionByDigest(minted[0].digest)).toEqual(minted[0]);

      const events = [auditRecord({ action: 'root_key.deleted' }), auditRecord({ action: 'session.revoked' })];
      expect(await store.deleteRootKey(plain.id, () => events)).toEqual(plain);
      for (const s of minted) expect(await store.findSessionByDigest(s.digest)).toBeNull();
      expect(await store.findSessionByDigest(unrelated.digest)).toEqual(unrelated);
      expect((await store.listAuditEvents({ offset: 0, limit: 2 })).events).toEqual([...events].reverse());
      await store.deleteRootKey(wild.id, (_current, state) => {
        expect(state.otherWildcardKeys).toBe(1);
        return [];
      });
    });

    it('serializes root key deletions: of two concurrent deletes of the last two * keys, one sees the other gone', async () => {
      const keys = [rootKeyRecord({ permissions: ['*'] }), rootKeyRecord({ permissions: ['*'] })];
      for (const rootKey of keys) await store.insertRootKey(rootKey, null);
      const guarded = (id: string) =>
        store.deleteRootKey(id, (_current, { otherWildcardKeys }) => {
          if (otherWildcardKeys === 0) throw new Error('last');
          return [auditRecord({ action: 'root_key.deleted' })];
        });
      const outcomes = await Promise.allSettled(keys.map((k) => guarded(k.id)));
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await store.countRootKeys()).toBe(1);
    });

    it('refuses a session whose minting root key is gone, even when deleted concurrently', async () => {
      const orphan = sessionRecord({ createdBy: 'rk_gone' });
      expect(await store.insertSession(orphan, auditRecord({ action: 'session.created' }))).toBe(false);
      expect(await store.findSessionByDigest(orphan.digest)).toBeNull();
      expect((await store.listAuditEvents({ offset: 0, limit: 10 })).total).toBe(0);
      for (let round = 0; round < 10; round++) {
        const minter = rootKeyRecord();
        await store.insertRootKey(minter, null);
        const session = sessionRecord({ createdBy: minter.id });
        await Promise.all([store.deleteRootKey(minter.id, () => []), store.insertSession(session, auditRecord({ action: 'session.created' }))]);
        expect(await store.findSessionByDigest(session.digest), `round ${round}`).toBeNull();
      }
    });

    it('ends live sessions by id or by user, with one event each, once even when ended concurrently', async () => {
      const mine = [sessionRecord({ userId: 'u_end' }), sessionRecord({ userId: 'u_end' })];
      const expired = sessionRecord({ userId: 'u_end', expiresAt: T0 });
      const theirs = sessionRecord({ userId: 'u_other' });
      for (const s of [...mine, expired, theirs]) await insertSession(s, auditRecord({ action: 'session.created' }));
      const revoked = (session: { id: string }) => auditRecord({ action: 'session.revoked', after: { session_id: session.id } });
      expect(await store.endSessions({ id: 'ses_missing' }, T0, revoked)).toEqual([]);
      expect(await store.endSessions({ id: expired.id }, T0, revoked)).toEqual([]);
      expect(await store.endSessions({ id: mine[0].id }, T0, revoked)).toEqual([mine[0]]);
      expect(await store.findSessionByDigest(mine[0].digest)).toBeNull();
      const [first, second] = await Promise.all([0, 1].map(() => store.endSessions({ userId: 'u_end' }, T0, revoked)));
      expect([...first, ...second]).toEqual([mine[1]]);
      expect(await store.findSessionByDigest(theirs.digest)).toEqual(theirs);
      const events = await store.listAuditEvents({ action: 'session.revoked', offset: 0, limit: 10 });
      expect(events.events.map((e) => e.after?.session_id)).toEqual([mine[1].id, mine[0].id]);
    });

    it('filters the audit trail by organization, key, action and time, newest first', async () => {
      const events = [
        auditRecord({ organizationId: 'org_1', keyId: 'k1', action: 'key.created', createdAt: T0 }),
        auditRecord({ organizationId: 'org_1', keyId: 'k1', action: 'key.revoked', createdAt: T0 + 10 }),
        auditRecord({ organizationId: 'org_2', keyId: 'k2', action: 'key.created', createdAt: T0 + 10 }),
        auditRecord({ organizationId: null, keyId: null, action: 'session.created', createdAt: T0 + 20 }),
      ];
      for (const event of events) await insertSession(sessionRecord(), event);
      const ids = async (filter: Parameters<Store['listAuditEvents']>[0]) => (await store.listAuditEvents(filter)).events.map((e) => e.id);
      const base = { offset: 0, limit: 10 };
      expect(await ids(base)).toEqual(events.map((e) => e.id).reverse());
      expect(await store.listAuditEvents(base)).toMatchObject({ events: [events[3], events[2], events[1], events[0]], total: 4 });
      expect(await ids({ ...base, organizationId: 'org_1' })).toEqual([events[1].id, events[0].id]);
      expect(await ids({ ...base, keyId: 'k2' })).toEqual([events[2].id]);
      expect(await ids({ ...base, action: 'key.created' })).toEqual([events[2].id, events[0].id]);
      expect(await ids({ ...base, from: T0 + 10, to: T0 + 20 })).toEqual([events[2].id, events[1].id]);
      const paged = await store.listAuditEvents({ offset: 1, limit: 1, organizationId: 'org_1' });
      expect(paged).toEqual({ events: [events[0]], total: 2 });
    });
  });
}
