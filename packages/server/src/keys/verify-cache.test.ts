import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../store/records.js';
import { VerifyCache } from './verify-cache.js';

const key = (id: string) => ({ id }) as KeyRecord;

describe('the verify cache', () => {
  it('drops every digest of a key when the key changes', () => {
    const cache = new VerifyCache({ size: 10, ttlMs: 60_000 });
    cache.remember('d1', { key: key('k1'), validUntil: null }, cache.mark());
    cache.remember('d2', { key: key('k1'), validUntil: 5 }, cache.mark());
    cache.remember('d3', { key: key('k2'), validUntil: null }, cache.mark());
    cache.invalidate({ keyId: 'k1' });
    expect(cache.get('d1')).toBeUndefined();
    expect(cache.get('d2')).toBeUndefined();
    expect(cache.get('d3')?.key.id).toBe('k2');
  });

  it('does not keep a fill that started before an invalidation (no stale revival)', () => {
    const cache = new VerifyCache({ size: 10, ttlMs: 60_000 });
    const mark = cache.mark();
    cache.invalidate({ keyId: 'k1' });
    cache.remember('d1', { key: key('k1'), validUntil: null }, mark);
    cache.rememberMissing('d9', mark);
    expect(cache.get('d1')).toBeUndefined();
    expect(cache.get('d9')).toBeUndefined();
  });

  it('remembers unknown digests until a digest is named by a create or rotate', () => {
    const cache = new VerifyCache({ size: 10, ttlMs: 60_000 });
    cache.rememberMissing('d1', cache.mark());
    expect(cache.get('d1')).toBeNull();
    cache.invalidate({ digest: 'd1' });
    expect(cache.get('d1')).toBeUndefined();
  });

  it('stays bounded', () => {
    const cache = new VerifyCache({ size: 3, ttlMs: 60_000, negativeSize: 2 });
    for (let i = 0; i < 10; i++) {
      cache.remember(`d${i}`, { key: key(`k${i}`), validUntil: null }, cache.mark());
      cache.rememberMissing(`m${i}`, cache.mark());
    }
    expect([...Array(10).keys()].filter((i) => cache.get(`d${i}`)).length).toBe(3);
    expect([...Array(10).keys()].filter((i) => cache.get(`m${i}`) === null).length).toBe(2);
  });

  it('caches nothing when its size is 0', () => {
    const cache = new VerifyCache({ size: 0, ttlMs: 60_000 });
    cache.remember('d1', { key: key('k1'), validUntil: null }, cache.mark());
    expect(cache.get('d1')).toBeUndefined();
  });
});
