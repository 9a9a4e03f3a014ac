import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import type { KyselyStore } from '../store/kysely-store.js';
import type { KeyRecord } from '../store/records.js';
import { as, createKey, rootKeyWith } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';
import { VerifyCache } from './verify-cache.js';

const key = (id: string) => ({ id }) as KeyRecord;

describe('the verify cache', () => {
  it('drops every digest of a key when the key changes', () => {
    const cache = new VerifyCache({ size: 10, ttlMs: 60_000, clock: new ManualClock() });
    cache.remember('d1', { key: key('k1'), validUntil: null }, cache.mark());
    cache.remember('d2', { key: key('k1'), validUntil: 5 }, cache.mark());
    cache.remember('d3', { key: key('k2'), validUntil: null }, cache.mark());
    cache.invalidate({ keyId: 'k1' });
    expect(cache.get('d1')).toBeUndefined();
    expect(cache.get('d2')).toBeUndefined();
    expect(cache.get('d3')?.key.id).toBe('k2');
  });

  it('does not keep a fill that started before an invalidation (no stale revival)', () => {
    const cache = new VerifyCache({ size: 10, ttlMs: 60_000, clock: new ManualClock() });
    const mark = cache.mark();
    cache.invalidate({ keyId: 'k1' });
    cache.remember('d1', { key: key('k1'), validUntil: null }, mark);
    cache.rememberMissing('d9', mark);
    expect(cache.get('d1')).toBeUndefined();
    expect(cache.get('d9')).toBeUndefined();
  });

  it('remembers unknown digests until a digest is named by a create or rotate', () => {
    const cache = new VerifyCache({ size: 10, ttlMs: 60_000, clock: new ManualClock() });
    cache.rememberMissing('d1', cache.mark());
    expect(cache.get('d1')).toBeNull();
    cache.invalidate({ digest: 'd1' });
    expect(cache.get('d1')).toBeUndefined();
  });

  it('stays bounded', () => {
    const cache = new VerifyCache({ size: 3, ttlMs: 60_000, negativeSize: 2, clock: new ManualClock() });
    for (let i = 0; i < 10; i++) {
      cache.remember(`d${i}`, { key: key(`k${i}`), validUntil: null }, cache.mark());
      cache.rememberMissing(`m${i}`, cache.mark());
    }
    expect([...Array(10).keys()].filter((i) => cache.get(`d${i}`)).length).toBe(3);
    expect([...Array(10).keys()].filter((i) => cache.get(`m${i}`) === null).length).toBe(2);
  });

  it('caches nothing when its size is 0', () => {
    const cache = new VerifyCache({ size: 0, ttlMs: 60_000, clock: new ManualClock() });
    cache.remember('d1', { key: key('k1'), validUntil: null }, cache.mark());
    expect(cache.get('d1')).toBeUndefined();
  });
});

describe('the caches run on the injected clock', () => {
  const t = useTestApp();
  const verify = async (secret: string) => (await as(t, t.rootKey).post('/v1/keys/verify', { key: secret })).json().code;
  const db = () => (t.store as KyselyStore).db;

  it('serves a key changed behind its back (no invalidation) from cache until KEYMINT_CACHE_TTL_SECONDS pass on the clock, then reads it again', async () => {
    const key = await createKey(t);
    expect(await verify(key.secret)).toBe('VALID');
    await db().updateTable('api_keys').set({ enabled: 0 }).where('id', '=', key.id).execute();
    t.clock.advance(t.config.cacheTtlMs - 1000);
    expect(await verify(key.secret)).toBe('VALID');
    t.clock.advance(2000);
    expect(await verify(key.secret)).toBe('DISABLED');
  });

  it('serves a root key deleted behind its back from the credential cache for at most a minute on the clock', async () => {
    const reader = await rootKeyWith(t, ['keys:read']);
    const list = () => as(t, reader).get('/v1/keys');
    expect((await list()).statusCode).toBe(200);
    await db().deleteFrom('root_keys').where('start', '=', reader.slice(0, 8)).execute();
    t.clock.advance(59_000);
    expect((await list()).statusCode).toBe(200);
    t.clock.advance(2000);
    expect((await list()).statusCode).toBe(401);
  });
});
