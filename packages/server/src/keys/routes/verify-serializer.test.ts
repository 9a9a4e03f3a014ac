import { VerifyKeyResult, type Key } from '@keymint/api';
import fastJson from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { verifyResultSerializer } from './verify-serializer.js';

const key = (id: string, credits: Key['credits'] = null): Key => ({
  id,
  name: 'a "quoted" name \u00e9\u2028',
  description: null,
  start: 'km_abcd',
  organization_id: 'org_1',
  user_id: null,
  scopes: ['a:b', 'c'],
  metadata: { nested: { list: [1, 'two', null] } },
  status: 'active',
  expires_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
  last_used_at: null,
  rotated_at: null,
  revoked_at: null,
  revocation_reason: null,
  rate_limits: [{ name: 'default', limit: 10, window_seconds: 60, auto_apply: true }],
  credits,
  leaked_at: null,
  leak_source_url: null,
  created_by: 'rk_1',
});

describe('the verify answer serializer', () => {
  const schema = fastJson(VerifyKeyResult);

  it('writes the bytes of the schema serializer, the first time and from its memo', () => {
    const serialize = verifyResultSerializer();
    const plain = key('key_1');
    const withCredits = key('key_2', {
      remaining: 3,
      refill: { amount: 5, interval: 'monthly', day_of_month: 31, mode: 'add' },
      refilled_at: '2026-01-31T00:00:00.000Z',
    });
    const results: VerifyKeyResult[] = [
      { valid: true, code: 'VALID', key: plain },
      { valid: false, code: 'INSUFFICIENT_SCOPE', key: plain },
      { valid: true, code: 'VALID', key: withCredits, credits_remaining: 3 },
      { valid: false, code: 'DISABLED', key: withCredits, credits_remaining: 0 },
      { valid: false, code: 'NOT_FOUND' },
    ];
    for (let round = 0; round < 3; round++) for (const result of results) expect(serialize(result)).toBe(schema(result));
  });

  it('memoizes a key view the second time it is answered, not the first', () => {
    const serialize = verifyResultSerializer();
    // A view is never changed once answered; changing one here shows which answers came from the memo.
    const answered = (view: Key) => JSON.parse(serialize({ valid: true, code: 'VALID', key: view })).key.name;
    const once = key('key_once');
    expect(answered(once)).toBe(once.name);
    once.name = 'changed after the first answer';
    expect(answered(once)).toBe('changed after the first answer');
    once.name = 'changed after the second answer';
    expect(answered(once)).toBe('changed after the first answer');
  });

  it('composes the applied rate limits and balances around the memo, in the bytes of the schema serializer', () => {
    const serialize = verifyResultSerializer();
    const view = key('key_3');
    const limit = { name: 'default', scope: 'key' as const, limit: 5, remaining: 4, reset_at: '2026-01-01T00:01:00.000Z', exceeded: false };
    const results: VerifyKeyResult[] = [
      { valid: true, code: 'VALID', key: view },
      { valid: true, code: 'VALID', key: view, rate_limits: [limit] },
      {
        valid: false,
        code: 'RATE_LIMITED',
        key: view,
        rate_limits: [
          { ...limit, remaining: 0, exceeded: true },
          { ...limit, name: 'org "wide"', scope: 'organization' },
        ],
      },
      { valid: true, code: 'VALID', key: view, rate_limits: [], credits_remaining: null, organization_credits_remaining: 7 },
      { valid: false, code: 'USAGE_EXCEEDED', key: view, credits_remaining: 0 },
    ];
    for (let round = 0; round < 3; round++) for (const result of results) expect(serialize(result)).toBe(schema(result));
    // Composed, not serialized whole: a change to the view after it was memoized does not show.
    const name = view.name;
    view.name = 'changed after the memo';
    expect(JSON.parse(serialize(results[2])).key.name).toBe(name);
  });

  it('serializes whole an answer with a field it does not compose', () => {
    const serialize = verifyResultSerializer();
    const view = key('key_4');
    const result = { valid: true, code: 'VALID', key: view, note: 'not in the schema' } as VerifyKeyResult;
    for (let round = 0; round < 3; round++) expect(serialize(result)).toBe(schema(result));
    expect(serialize(result)).not.toContain('note');
  });
});
