import { describe, expect, it } from 'vitest';
import { toCamel, toSnake } from './case.js';

describe('the camelCase ↔ snake_case mapper', () => {
  it('maps keys deeply both ways, through arrays, and round-trips', () => {
    const wire = { total_count: 1, data: [{ organization_id: 'o', rate_limit: { window_seconds: 60 }, credits: null }] };
    const sdk = toCamel(wire);
    expect(sdk).toEqual({ totalCount: 1, data: [{ organizationId: 'o', rateLimit: { windowSeconds: 60 }, credits: null }] });
    expect(toSnake(sdk)).toEqual(wire);
  });

  it('leaves metadata contents and non-snake keys (verify codes) untouched', () => {
    const wire = { metadata: { some_key: { inner_key: 1 }, camelKey: 2 }, counts: { NOT_FOUND: 3, VALID: 4 } };
    expect(toCamel(wire)).toEqual(wire);
    expect(toSnake({ metadata: { camelKey: { deepKey: 1 } }, userId: 'u' })).toEqual({ metadata: { camelKey: { deepKey: 1 } }, user_id: 'u' });
  });
});
