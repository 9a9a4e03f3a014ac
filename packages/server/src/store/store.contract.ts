import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsContract } from './credentials.contract.js';
import { keyBulkContract } from './key-bulk.contract.js';
import { keyStatusContract } from './key-status.contract.js';
import { webhooksContract } from './webhooks.contract.js';
import { leaksContract } from './leaks.contract.js';
import { usageContract } from './usage.contract.js';
import { auditRecord, digest, insertMintedSession, keyRecord, sessionRecord, T0 } from './contract-fixtures.js';
import { keyToRow } from './rows.js';
import type { KyselyStore } from './kysely-store.js';
import type { AuditRecord, KeyFilter, KeyRecord, SessionRecord, Store } from './store.js';

const page = (filter: Partial<KeyFilter> = {}): KeyFilter => ({ now: T0, offset: 0, limit: 50, ...filter });
const audits = (store: Store, keyId: string) => store.listAuditEvents({ keyId, offset: 0, limit: 50 });

/**
 * The behaviour every `Store` must have, run against each implementation (`sqlite-store.test.ts`,
 * `postgres-store.test.ts`). `open` yields a fresh, migrated, empty store; `openUnmigrated` the
 * same before any migration (to test what a migration does to existing rows); the suite closes it.
 */
export function storeContract(open: () => Promise<Store>, openUnmigrated: () => Promise<KyselyStore>): void {
  let store: Store;
  beforeEach(async () => {
    store = await open();
  });
  afterEach(async () => store.close());

  const insert = async (overrides: Partial<KeyRecord> = {}, secret = digest()) => {
    const key = keyRecord(overrides);
    await store.insertKey(key, secret, auditRecord({ keyId: key.id, organizationId: key.organizationId }));
    return { key, secret };
  };
  const names = (keys: KeyRecord[]) => keys.map((k) => k.name);
  const insertSession = (session: SessionRecord, audit: AuditRecord) => insertMintedSession(store, session, audit);

  it('answers ping and migrates again without change', async () => {
    await store.ping();
    await store.migrate();
  });

  describe('keys', () => {
    it('stores every field of a key and finds it by id and by digest', async () => {
      const { key, secret } = await insert({
        description: 'd',
        organizationId: 'org_1',
        scopes: ['a', 'b'],
        metadata: { plan: 'pro', nested: { n: 1 } },
        enabled: false,
        expiresAt: T0 + 5000,
        rateLimits: [
          { name: 'default', limit: 10, windowSeconds: 60, autoApply: true },
          { name: 'search', limit: 3, windowSeconds: 1, autoApply: false },
        ],
        credits: { remaining: 7, refill: { amount: 5, interval: 'monthly', dayOfMonth: 31, mode: 'add' }, refilledAt: T0 },
        createdBy: 'rk_1',
      });
      expect(await store.getKey(key.id)).toEqual(key);
      expect(await store.findKeyByDigest(secret)).toEqual({ key, validUntil: null });
      expect(await store.getKey('key_missing')).toBeNull();
      expect(await store.findKeyByDigest(digest())).toBeNull();
      expect((await audits(store, key.id)).events.map((e) => e.action)).toEqual(['key.created']);
    });

    it('lists newest first, strictly by insertion even within one millisecond, with total and paging', async () => {
      for (const name of ['a', 'b', 'c', 'd']) await insert({ name, createdAt: T0 });
      const all = await store.listKeys(page());
      expect(names(all.keys)).toEqual(['d', 'c', 'b', 'a']);
      expect(all.total).toBe(4);
      const second = await store.listKeys(page({ offset: 1, limit: 2 }));
      expect(names(second.keys)).toEqual(['c', 'b']);
      expect(second.total).toBe(4);
    });

    it('inserts concurrent keys independently: one that fails leaves nothing behind and fails no other', async () => {
      const first = await insert({ name: 'first' });
      const [taken] = (await audits(store, first.key.id)).events;
      const keys = ['k0', 'k1', 'k2', 'k3', 'k4'].map((name) => keyRecord({ name }));
      const secrets = keys.map(() => digest());
      // k2's audit event reuses an existing event id: its insert fails after its key row was written.
      const outcomes = await Promise.allSettled(
        keys.map((key, i) => store.insertKey(key, secrets[i], { ...auditRecord({ keyId: key.id }), ...(i === 2 ? { id: taken.id } : {}) })),
      );
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(await store.getKey(keys[2].id)).toBeNull();
      expect(await store.findKeyByDigest(secrets[2])).toBeNull();
      expect(await audits(store, keys[2].id)).toEqual({ events: [], total: 0 });
      for (const i of [0, 1, 3, 4]) expect((await store.findKeyByDigest(secrets[i]))?.key).toEqual(keys[i]);
      expect(names((await store.listKeys(page())).keys).sort()).toEqual(['first', 'k0', 'k1', 'k3', 'k4']);
      expect((await store.listAuditEvents({ offset: 0, limit: 50 })).total).toBe(5);
    });

    it('searches names case-insensitively, taking % _ and \\ literally', async () => {
      for (const name of ['Billing API', 'billing-ui', '100% done', '100 done', 'snake_case', 'snakeXcase', 'back\\slash']) {
        await insert({ name });
      }
      expect(names((await store.listKeys(page({ nameContains: 'BILLING' }))).keys).sort()).toEqual(['Billing API', 'billing-ui']);
      expect(names((await store.listKeys(page({ nameContains: '0%' }))).keys)).toEqual(['100% done']);
      expect(names((await store.listKeys(page({ nameContains: 'e_c' }))).keys)).toEqual(['snake_case']);
      expect(names((await store.listKeys(page({ nameContains: 'k\\s' }))).keys)).toEqual(['back\\slash']);
      expect((await store.listKeys(page({ nameContains: '%' }))).total).toBe(1);
    });

    it('filters by status at `now`', async () => {
      await insert({ name: 'active' });
      await insert({ name: 'active-until-later', expiresAt: T0 + 1 });
      await insert({ name: 'disabled', enabled: false });
      await insert({ name: 'revoked', revokedAt: T0, enabled: false });
      await insert({ name: 'expired', expiresAt: T0 });
      await insert({ name: 'revoked-and-expired', revokedAt: T0, expiresAt: T0 - 1 });
      const by = async (status: KeyFilter['status']) => names((await store.listKeys(page({ status }))).keys).sort();
      expect(await by('active')).toEqual(['active', 'active-until-later']);
      expect(await by('disabled')).toEqual(['disabled']);
      expect(await by('revoked')).toEqual(['revoked', 'revoked-and-expired']);
      expect(await by('expired')).toEqual(['expired']);
      expect((await store.listKeys(page())).total).toBe(6);
    });

    it('filters by organization, user and the owners a session may see', async () => {
      await insert({ name: 'mine', userId: 'u1' });
      await insert({ name: 'mine-in-org', userId: 'u1', organizationId: 'org_2' });
      await insert({ name: 'org1', organizationId: 'org_1' });
      await insert({ name: 'org3', organizationId: 'org_3' });
      await insert({ name: 'theirs', userId: 'u2' });
      const list = async (filter: Partial<KeyFilter>) => names((await store.listKeys(page(filter))).keys).sort();
      expect(await list({ organizationId: 'org_1' })).toEqual(['org1']);
      expect(await list({ userId: 'u1' })).toEqual(['mine', 'mine-in-org']);
      expect(await list({ owners: { userId: 'u1', organizationIds: ['org_1'] } })).toEqual(['mine', 'org1']);
      expect(await list({ owners: { userId: null, organizationIds: ['org_1', 'org_3'] } })).toEqual(['org1', 'org3']);
      expect(await list({ owners: { userId: null, organizationIds: [] } })).toEqual([]);
      expect((await store.listKeys(page({ owners: { userId: null, organizationIds: [] } }))).total).toBe(0);
    });
  });

  describe('changeKey', () => {
    it('writes the decided key and its audit event together', async () => {
      const { key } = await insert();
      const next = { ...key, name: 'Renamed', updatedAt: T0 + 1 };
      const changed = await store.changeKey(key.id, (current) => {
        expect(current).toEqual(key);
        return { key: next, audit: auditRecord({ action: 'key.updated', keyId: key.id }) };
      });
      expect(changed).toEqual(next);
      expect(await store.getKey(key.id)).toEqual(next);
      expect((await audits(store, key.id)).events.map((e) => e.action)).toEqual(['key.updated', 'key.created']);
    });

    it('changes nothing when decide answers null, and answers the key as it stands', async () => {
      const { key } = await insert();
      expect(await store.changeKey(key.id, () => null)).toEqual(key);
      expect((await audits(store, key.id)).total).toBe(1);
    });

    it('writes nothing at all when decide throws', async () => {
      const { key } = await insert();
      const refusal = new Error('refused');
      await expect(
        store.changeKey(key.id, () => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      expect(await store.getKey(key.id)).toEqual(key);
      expect((await audits(store, key.id)).total).toBe(1);
    });

    it('answers null for a missing key without asking decide', async () => {
      let asked = false;
      expect(await store.changeKey('key_missing', () => ((asked = true), null))).toBeNull();
      expect(asked).toBe(false);
    });

    it('serializes concurrent changes of one key (no lost update)', async () => {
      const { key } = await insert({ credits: { remaining: 20, refill: null, refilledAt: null } });
      const spend = () =>
        store.changeKey(key.id, (current) => ({
          key: { ...current, credits: { ...current.credits!, remaining: current.credits!.remaining - 1 } },
          audit: auditRecord({ action: 'key.updated', keyId: key.id }),
        }));
      await Promise.all(Array.from({ length: 10 }, spend));
      expect((await store.getKey(key.id))?.credits?.remaining).toBe(10);
    });

    it('spends credits in one statement only from the row as cached and at or above the floor; concurrent spends admit exactly what the floor allows', async () => {
      const { key } = await insert({ credits: { remaining: 30, refill: null, refilledAt: null } });
      expect(await store.spendKeyCreditsAtLeast(key.id, key.updatedAt + 1, 1, 11)).toBeNull();
      expect(await store.spendKeyCreditsAtLeast('key_missing', key.updatedAt, 1, 11)).toBeNull();
      expect(await store.spendKeyCreditsAtLeast(key.id, key.updatedAt, 3, 11)).toEqual({ remaining: 27, refilledAt: null });
      // Concurrent spends never take the balance under the floor (a store may refuse more than it must: they take the full spend).
      const spends = await Promise.all(Array.from({ length: 25 }, () => store.spendKeyCreditsAtLeast(key.id, key.updatedAt, 1, 11)));
      const taken = spends.filter((spend) => spend !== null);
      const left = (await store.getKey(key.id))?.credits?.remaining;
      expect(left).toBe(27 - taken.length);
      expect(left).toBeGreaterThanOrEqual(10);
      // Each answers a balance of its own, as if they ran one after another.
      expect(taken.map((spend) => spend.remaining).sort((a, b) => b - a)).toEqual(Array.from({ length: taken.length }, (_, i) => 26 - i));
      // One at a time, each is taken while the floor holds.
      let last = left!;
      while (last > 10) {
        expect(await store.spendKeyCreditsAtLeast(key.id, key.updatedAt, 1, 11)).toEqual({ remaining: last - 1, refilledAt: null });
        last--;
      }
      expect(await store.spendKeyCreditsAtLeast(key.id, key.updatedAt, 1, 11)).toBeNull();
      const plain = (await insert()).key;
      expect(await store.spendKeyCreditsAtLeast(plain.id, plain.updatedAt, 1, 1)).toBeNull();
      // Spends of several keys at once: a key whose balance holds them all is not held back by another's.
      const rich = (await insert({ credits: { remaining: 100, refill: null, refilledAt: null } })).key;
      const poor = (await insert({ credits: { remaining: 12, refill: null, refilledAt: null } })).key;
      const order = [rich, poor, rich, poor, rich, rich, poor, rich];
      const mixed = await Promise.all(order.map((k) => store.spendKeyCreditsAtLeast(k.id, k.updatedAt, 2, 12)));
      expect(mixed.filter((spend, i) => spend !== null && order[i] === rich)).toHaveLength(5);
      expect((await store.getKey(rich.id))?.credits?.remaining).toBe(90);
      expect((await store.getKey(poor.id))?.credits?.remaining).toBeGreaterThanOrEqual(10);
    });

    it('rotates: the old digest keeps a grace end, the new one opens the key, grace never extends', async () => {
      const { key, secret: first } = await insert();
      const rotate = (next: string, previousValidUntil: number) =>
        store.changeKey(key.id, (current) => ({
          key: { ...current, rotatedAt: T0 + 1 },
          rotation: { digest: next, previousValidUntil },
          audit: auditRecord({ action: 'key.rotated', keyId: key.id }),
        }));
      const second = digest();
      await rotate(second, T0 + 60_000);
      expect((await store.findKeyByDigest(first))?.validUntil).toBe(T0 + 60_000);
      expect((await store.findKeyByDigest(second))?.validUntil).toBeNull();
      const third = digest();
      await rotate(third, T0 + 120_000);
      expect((await store.findKeyByDigest(first))?.validUntil).toBe(T0 + 60_000);
      expect((await store.findKeyByDigest(second))?.validUntil).toBe(T0 + 120_000);
      expect((await store.findKeyByDigest(third))?.key.rotatedAt).toBe(T0 + 1);
    });
  });

  describe('deleteKey, touchKeys, idempotency, prune', () => {
    it('deletes a key and every secret, writing the audit event; null when missing', async () => {
      const { key, secret } = await insert();
      const deleted = await store.deleteKey(key.id, (current) => auditRecord({ action: 'key.deleted', keyId: current.id }));
      expect(deleted).toEqual(key);
      expect(await store.getKey(key.id)).toBeNull();
      expect(await store.findKeyByDigest(secret)).toBeNull();
      expect((await audits(store, key.id)).events.map((e) => e.action)).toEqual(['key.deleted', 'key.created']);
      expect(await store.deleteKey(key.id, () => auditRecord())).toBeNull();
    });

    it('deletes nothing when its audit event cannot be written: the key, its secret and its count stay', async () => {
      const created = auditRecord({ keyId: 'placeholder' });
      const key = keyRecord();
      const secret = digest();
      await store.insertKey(key, secret, { ...created, keyId: key.id });
      // Reusing the existing event's id makes the audit insert fail inside deleteKey's transaction.
      const failing = store.deleteKey(key.id, (current) => auditRecord({ id: created.id, action: 'key.deleted', keyId: current.id }));
      await expect(failing).rejects.toThrow();
      expect(await store.getKey(key.id)).toEqual(key);
      expect(await store.findKeyByDigest(secret)).toMatchObject({ key });
      expect((await store.listKeys(page())).total).toBe(1);
      expect((await audits(store, key.id)).events.map((e) => e.action)).toEqual(['key.created']);
    });

    it('never moves last_used_at backwards', async () => {
      const { key } = await insert();
      const other = await insert();
      await store.touchKeys(
        new Map([
          [key.id, T0 + 100],
          [other.key.id, T0 + 5],
        ]),
      );
      await store.touchKeys(new Map([[key.id, T0 + 50]]));
      expect((await store.getKey(key.id))?.lastUsedAt).toBe(T0 + 100);
      expect((await store.getKey(other.key.id))?.lastUsedAt).toBe(T0 + 5);
      await store.touchKeys(new Map());
    });

    it('makes exactly one key of concurrent inserts with one idempotency digest', async () => {
      const claim = digest();
      const attempt = (response: string) => {
        const key = keyRecord();
        return store.insertKey(key, digest(), auditRecord({ keyId: key.id }), { digest: claim, requestHash: 'h', response, createdAt: T0 });
      };
      const outcomes = await Promise.all(['r1', 'r2', 'r3', 'r4'].map(attempt));
      const winners = outcomes.filter((o) => o.inserted);
      expect(winners).toHaveLength(1);
      const stored = await store.findIdempotency(claim);
      for (const o of outcomes) if (!o.inserted) expect(o.existing).toEqual(stored);
      expect((await store.listKeys(page())).total).toBe(1);
      expect((await store.listAuditEvents({ offset: 0, limit: 10 })).total).toBe(1);
      expect(await store.findIdempotency(digest())).toBeNull();
    });

    it('prunes old idempotent answers, ended sessions and ended grace secrets, nothing else', async () => {
      const { key, secret: old } = await insert();
      const current = digest();
      await store.changeKey(key.id, (k) => ({ key: k, rotation: { digest: current, previousValidUntil: T0 + 10 }, audit: auditRecord() }));
      const oldClaim = { digest: digest(), requestHash: 'h', response: 'r', createdAt: T0 - 1 };
      const newClaim = { ...oldClaim, digest: digest(), createdAt: T0 };
      await store.insertKey(keyRecord(), digest(), auditRecord(), oldClaim);
      await store.insertKey(keyRecord(), digest(), auditRecord(), newClaim);
      const ended = sessionRecord({ expiresAt: T0 + 10 });
      const live = sessionRecord({ expiresAt: T0 + 11 });
      for (const s of [ended, live]) await insertSession(s, auditRecord({ action: 'session.created' }));
      await store.prune(T0 + 10, T0);
      expect(await store.findIdempotency(oldClaim.digest)).toBeNull();
      expect(await store.findIdempotency(newClaim.digest)).toEqual(newClaim);
      expect(await store.findSessionByDigest(ended.digest)).toBeNull();
      expect(await store.findSessionByDigest(live.digest)).toEqual(live);
      expect(await store.findKeyByDigest(old)).toBeNull();
      expect((await store.findKeyByDigest(current))?.key.id).toBe(key.id);
    });
  });

  describe('list totals from maintained counts', () => {
    const total = async (filter: Partial<KeyFilter>) => (await store.listKeys(page(filter))).total;
    /** Every total these filters answer, each checked against the rows the same filter lists. */
    const totals = async (filters: Record<string, Partial<KeyFilter>>) => {
      const answer: Record<string, number> = {};
      for (const [name, filter] of Object.entries(filters)) {
        const { keys, total } = await store.listKeys(page({ ...filter, limit: 1000 }));
        expect(total, name).toBe(keys.length);
        answer[name] = total;
      }
      return answer;
    };
    const filters = {
      all: {},
      org1: { organizationId: 'org_1' },
      org2: { organizationId: 'org_2' },
      u1: { userId: 'u1' },
      u2: { userId: 'u2' },
      session: { owners: { userId: 'u1', organizationIds: ['org_1', 'org_2'] } },
      sessionInOrg1: { organizationId: 'org_1', owners: { userId: null, organizationIds: ['org_1'] } },
      sessionOutsideOrg2: { organizationId: 'org_2', owners: { userId: null, organizationIds: ['org_1'] } },
      orgAndUser: { organizationId: 'org_1', userId: 'u1' },
    } satisfies Record<string, Partial<KeyFilter>>;

    it('are exact right after creates and deletes, per organization, user, session owners and all keys', async () => {
      const { key: personal } = await insert({ userId: 'u1' });
      const { key: inOrg } = await insert({ userId: 'u1', organizationId: 'org_1' });
      await insert({ organizationId: 'org_1' });
      await insert({ organizationId: 'org_2' });
      await insert({ userId: 'u2' });
      expect(await totals(filters)).toEqual({
        all: 5,
        org1: 2,
        org2: 1,
        u1: 2,
        u2: 1,
        session: 4,
        sessionInOrg1: 2,
        sessionOutsideOrg2: 0,
        orgAndUser: 1,
      });
      for (const key of [personal, inOrg]) await store.deleteKey(key.id, () => auditRecord({ action: 'key.deleted' }));
      expect(await totals(filters)).toEqual({
        all: 3,
        org1: 1,
        org2: 1,
        u1: 0,
        u2: 1,
        session: 2,
        sessionInOrg1: 1,
        sessionOutsideOrg2: 0,
        orgAndUser: 0,
      });
      expect(await total({ organizationId: 'org_never' })).toBe(0);
      expect(await total({ owners: { userId: 'u_never', organizationIds: ['org_never'] } })).toBe(0);
    });

    it('follow a key whose user changes, and stay put when a change or delete is refused', async () => {
      const { key } = await insert({ userId: 'u1' });
      await store.changeKey(key.id, (current) => ({ key: { ...current, userId: 'u2' }, audit: auditRecord({ action: 'key.updated' }) }));
      expect(await totals(filters)).toMatchObject({ all: 1, u1: 0, u2: 1, session: 0 });
      await store.changeKey(key.id, (current) => ({ key: { ...current, organizationId: 'org_1' }, audit: auditRecord({ action: 'key.updated' }) }));
      expect(await totals(filters)).toMatchObject({ all: 1, org1: 1, u2: 1, session: 1 });
      const refusal = new Error('refused');
      await expect(
        store.deleteKey(key.id, () => {
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      await expect(
        store.changeKey(key.id, (current) => {
          expect(current.userId).toBe('u2');
          throw refusal;
        }),
      ).rejects.toBe(refusal);
      expect(await totals(filters)).toMatchObject({ all: 1, org1: 1, u2: 1, session: 1 });
    });

    it('stay exact under concurrent creates and deletes across owners', async () => {
      const owners = [{ organizationId: 'org_1' }, { organizationId: 'org_2', userId: 'u1' }, { userId: 'u1' }, { organizationId: 'org_1', userId: 'u2' }];
      const created = await Promise.all(Array.from({ length: 24 }, (_, i) => insert(owners[i % owners.length])));
      await Promise.all(created.filter((_, i) => i % 3 === 0).map(({ key }) => store.deleteKey(key.id, () => auditRecord({ action: 'key.deleted' }))));
      expect(await totals(filters)).toMatchObject({ all: 16, org1: 8, org2: 4, u1: 8, u2: 4, session: 16 });
    });

    it('migration 0005 turns the single rate limit into one named default, and refill periods into calendar intervals', async () => {
      const old = await openUnmigrated();
      try {
        await old.migrateTo('0004_session_owners');
        const limited = keyRecord({ organizationId: 'org_1' });
        const refilled = keyRecord({ organizationId: 'org_1', updatedAt: T0 + 7 });
        const plain = keyRecord({ organizationId: 'org_1' });
        await old.db
          .insertInto('api_keys')
          .values([
            { ...rowBefore0005(limited), rate_limit_limit: 10, rate_limit_window_seconds: 60 },
            { ...rowBefore0005(refilled), credits_remaining: 3, credits_refill_amount: 5, credits_refill_interval_seconds: 86_400 },
            rowBefore0005(plain),
          ] as never)
          .execute();
        await old.migrate();
        expect((await old.getKey(limited.id))?.rateLimits).toEqual([{ name: 'default', limit: 10, windowSeconds: 60, autoApply: true }]);
        expect((await old.getKey(refilled.id))?.credits).toEqual({
          remaining: 3,
          refill: { amount: 5, interval: 'daily', dayOfMonth: null, mode: 'reset' },
          refilledAt: T0 + 7,
        });
        expect(await old.getKey(plain.id)).toMatchObject({ rateLimits: [], credits: null });
      } finally {
        await old.close();
      }
    });

    it('are backfilled by migration 0003 from keys that existed before it', async () => {
      const old = await openUnmigrated();
      try {
        await old.migrateTo('0002_signing_keys');
        const rows = [
          keyRecord({ organizationId: 'org_1' }),
          keyRecord({ organizationId: 'org_1', userId: 'u1' }),
          keyRecord({ organizationId: 'org_2' }),
          keyRecord({ userId: 'u1' }),
          keyRecord({ userId: 'u2' }),
        ].map(rowBefore0005);
        await old.db
          .insertInto('api_keys')
          .values(rows as never)
          .execute();
        await old.migrate();
        const list = (filter: Partial<KeyFilter>) => old.listKeys(page(filter)).then((answer) => answer.total);
        expect(await list({})).toBe(5);
        expect(await list({ organizationId: 'org_1' })).toBe(2);
        expect(await list({ userId: 'u1' })).toBe(2);
        expect(await list({ owners: { userId: 'u1', organizationIds: ['org_2'] } })).toBe(2);
        await old.insertKey(keyRecord({ organizationId: 'org_1' }), digest(), auditRecord());
        expect(await list({ organizationId: 'org_1' })).toBe(3);
        expect(await list({})).toBe(6);
      } finally {
        await old.close();
      }
    });
  });

  keyStatusContract(() => store);
  credentialsContract(() => store);
  webhooksContract(() => store);
  leaksContract(() => store);
  usageContract(() => store, openUnmigrated);
  keyBulkContract(() => store);
}

/** A key row as the schema stood before migration 0005 (no named limits, no calendar refills, nor the leak fields of 0008). */
function rowBefore0005(key: KeyRecord): Record<string, unknown> {
  const {
    leaked_at: _leakedAt,
    leak_source_url: _leakSourceUrl,
    rate_limits: _limits,
    credits_refill_interval: _interval,
    credits_refill_day: _day,
    credits_refill_mode: _mode,
    credits_refilled_at: _at,
    ...row
  } = keyToRow(key);
  return row;
}
