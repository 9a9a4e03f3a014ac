import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, createKey, sessionFor } from '../../testing/client.js';
import { createTestApp, type TestApp } from '../../testing/harness.js';

let t: TestApp;
const ids: Record<string, string> = {};
beforeAll(async () => {
  t = await createTestApp();
  // All created within the same millisecond of the manual clock: order must still be strict.
  for (const [name, body] of [
    ['Alpha Prod', { organization_id: 'org_list' }],
    ['beta 100%_done', { organization_id: 'org_list', user_id: 'u1' }],
    ['gamma', { organization_id: 'org_list' }],
    ['PROD backup', { organization_id: 'org_list' }],
    ['other org', { organization_id: 'org_other' }],
    ['expiring', { organization_id: 'org_list', seconds_until_expiration: 10 }],
  ] as const) {
    ids[name] = (await createKey(t, { name, ...body })).id;
  }
  await as(t, t.rootKey).patch(`/v1/keys/${ids.gamma}`, { enabled: false });
  await as(t, t.rootKey).post(`/v1/keys/${ids['PROD backup']}/revoke`);
  t.clock.advance(11_000);
});
afterAll(async () => t.close());

const list = async (query: string) => {
  const response = await as(t, t.rootKey).get(`/v1/keys?${query}`);
  expect(response.statusCode).toBe(200);
  return response.json() as { data: { name: string; status: string }[]; total_count: number; page: number; page_size: number };
};

describe('GET /v1/keys', () => {
  it('lists newest first, in strict creation order within one millisecond', async () => {
    const page = await list('organization_id=org_list');
    expect(page.data.map((k) => k.name)).toEqual(['expiring', 'PROD backup', 'gamma', 'beta 100%_done', 'Alpha Prod']);
    expect(page).toMatchObject({ total_count: 5, page: 1, page_size: 10 });
  });

  it('searches names case-insensitively, treating % and _ literally', async () => {
    expect((await list('query=prod')).data.map((k) => k.name)).toEqual(['PROD backup', 'Alpha Prod']);
    expect((await list('query=100%25_')).data.map((k) => k.name)).toEqual(['beta 100%_done']);
    expect((await list('query=%25')).total_count).toBe(1);
    expect((await list('query=_')).total_count).toBe(1);
  });

  it('filters by user and by status', async () => {
    expect((await list('user_id=u1')).data.map((k) => k.name)).toEqual(['beta 100%_done']);
    const status = async (s: string) => (await list(`organization_id=org_list&status=${s}`)).data.map((k) => k.name);
    expect(await status('active')).toEqual(['beta 100%_done', 'Alpha Prod']);
    expect(await status('disabled')).toEqual(['gamma']);
    expect(await status('revoked')).toEqual(['PROD backup']);
    expect(await status('expired')).toEqual(['expiring']);
    expect(await status('all')).toHaveLength(5);
  });

  it('pages with total_count', async () => {
    const first = await list('organization_id=org_list&page_size=2');
    const third = await list('organization_id=org_list&page_size=2&page=3');
    const beyond = await list('organization_id=org_list&page_size=2&page=4');
    expect(first.data.map((k) => k.name)).toEqual(['expiring', 'PROD backup']);
    expect(third.data.map((k) => k.name)).toEqual(['Alpha Prod']);
    expect(beyond).toMatchObject({ data: [], total_count: 5, page: 4 });
  });

  it('keeps total_count exact through creates, deletes and a key changing hands, for root keys and sessions', async () => {
    const a = await createKey(t, { name: 'counted a', organization_id: 'org_counted' });
    await createKey(t, { name: 'counted b', organization_id: 'org_counted', user_id: 'u_counted' });
    const c = await createKey(t, { name: 'counted c', organization_id: undefined, user_id: 'u_counted' });
    const session = await sessionFor(t, 'u_counted', [{ id: 'org_counted', role: 'member' }]);
    const totals = async () => {
      const answer: Record<string, number> = {};
      for (const [name, credential, query] of [
        ['org', t.rootKey, 'organization_id=org_counted'],
        ['user', t.rootKey, 'user_id=u_counted'],
        ['other user', t.rootKey, 'user_id=u_other'],
        ['session', session, ''],
        ['session org', session, 'organization_id=org_counted'],
      ] as const) {
        const page = (await as(t, credential).get(`/v1/keys?page_size=500&${query}`)).json();
        expect(page.total_count, name).toBe(page.data.length);
        answer[name] = page.total_count;
      }
      return answer;
    };
    expect(await totals()).toEqual({ org: 2, user: 2, 'other user': 0, session: 3, 'session org': 2 });
    expect((await as(t, t.rootKey).delete(`/v1/keys/${a.id}`)).statusCode).toBe(204);
    expect((await as(t, t.rootKey).patch(`/v1/keys/${c.id}`, { user_id: 'u_other' })).statusCode).toBe(200);
    expect(await totals()).toEqual({ org: 1, user: 1, 'other user': 1, session: 1, 'session org': 1 });
  });

  it.each(['page=0', 'page_size=501', 'page_size=abc', 'status=gone', 'colour=red', `query=${'q'.repeat(201)}`])('answers 400 for %s', async (query) => {
    const response = await as(t, t.rootKey).get(`/v1/keys?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toBe(query.split('=')[0]);
  });
});
