import { expect, it } from 'vitest';
import { countDeltas } from './key-counts.js';

const owners = (organizationId: string | null, userId: string | null) => ({ organizationId, userId });
const ids = (deltas: { scope: string; owner: string; delta: number }[]) => deltas.map((d) => `${d.scope}:${d.owner}:${d.delta}`);

it('moves every counter of a key by one on insert and delete, in lock order, and only changed owners on a change', () => {
  expect(ids(countDeltas(null, owners('org_1', 'u1')))).toEqual(['all::1', 'organization:org_1:1', 'user:u1:1']);
  expect(ids(countDeltas(owners(null, 'u1'), null))).toEqual(['all::-1', 'personal:u1:-1', 'user:u1:-1']);
  expect(countDeltas(owners('org_1', 'u1'), owners('org_1', 'u1'))).toEqual([]);
  expect(ids(countDeltas(owners(null, 'u1'), owners('org_1', 'u1')))).toEqual(['organization:org_1:1', 'personal:u1:-1']);
  expect(ids(countDeltas(owners('org_1', 'u2'), owners('org_1', 'u1')))).toEqual(['user:u1:1', 'user:u2:-1']);
});
