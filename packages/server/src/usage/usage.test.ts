import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { as, createKey, rootKeyWith, sessionFor } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';
import { UsageService } from './usage-service.js';

const NOW = Date.parse('2026-03-10T12:00:30.000Z');
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const t = useTestApp({ clock: new ManualClock(NOW) });

const at = (ms: number) => new Date(ms).toISOString();
const verify = (secret: string, extra: Record<string, unknown> = {}) => as(t, t.rootKey).post('/v1/keys/verify', { key: secret, ...extra });
const usageOf = async (id: string, query: string, credential = t.rootKey) => {
  const response = await as(t, credential).get(`/v1/keys/${id}/usage?${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const range = (from: number, to: number, granularity: string) => `from=${at(from)}&to=${at(to)}&granularity=${granularity}`;
/** Sets the clock to `time`, verifies each key `n` times (with `tags`), flushes and maintains. */
const verifiesAt = async (time: number, verifies: [{ secret: string }, number, string[]?][]) => {
  t.clock.set(time);
  for (const [key, n, tags] of verifies) for (let i = 0; i < n; i++) await verify(key.secret, tags ? { tags } : {});
  await t.flush();
  await t.services.usage.maintain();
};

describe('usage of a key', () => {
  it('counts every outcome per minute and code, with credits spent, after a flush; zero buckets included, oldest first', async () => {
    const key = await createKey(t, { scopes: ['read'], credits: { remaining: 100 } });
    const start = t.clock.now();
    await verify(key.secret, { cost: 3 });
    await verify(key.secret, { scopes: ['write'] });
    t.clock.advance(2 * MIN);
    await verify(key.secret);
    expect((await usageOf(key.id, range(start, start + 3 * MIN, 'minute'))).buckets.every((b: { total: number }) => b.total === 0)).toBe(true);

    await t.flush();
    const minute = start - (start % MIN);
    expect(await usageOf(key.id, range(start, minute + 3 * MIN, 'minute'))).toEqual({
      key_id: key.id,
      granularity: 'minute',
      buckets: [
        { start: at(minute), total: 2, codes: { VALID: 1, INSUFFICIENT_SCOPE: 1 }, credits_spent: 3 },
        { start: at(minute + MIN), total: 0, codes: {}, credits_spent: 0 },
        { start: at(minute + 2 * MIN), total: 1, codes: { VALID: 1 }, credits_spent: 1 },
      ],
    });
  });

  it('answers hour and day buckets after a rollup, and by default the last 24 hours by hour', async () => {
    const key = await createKey(t);
    const start = t.clock.now();
    await verify(key.secret);
    t.clock.advance(HOUR);
    await verify(key.secret);
    await verify(key.secret);
    await t.flush();
    const hour = start - (start % HOUR);
    expect((await usageOf(key.id, range(hour, hour + 2 * HOUR, 'hour'))).buckets.map((b: { total: number }) => b.total)).toEqual([0, 0]);

    await t.services.usage.maintain();
    expect((await usageOf(key.id, range(hour, hour + 2 * HOUR, 'hour'))).buckets.map((b: { total: number }) => b.total)).toEqual([1, 2]);
    const day = start - (start % DAY);
    expect((await usageOf(key.id, range(day, day + DAY, 'day'))).buckets).toEqual([{ start: at(day), total: 3, codes: { VALID: 3 }, credits_spent: 0 }]);

    const byDefault = await usageOf(key.id, '');
    expect(byDefault.granularity).toBe('hour');
    expect(byDefault.buckets).toHaveLength(25);
    expect(byDefault.buckets.at(-1).start).toBe(at(t.clock.now() - (t.clock.now() % HOUR)));
    expect(byDefault.buckets.reduce((sum: number, b: { total: number }) => sum + b.total, 0)).toBe(3);
  });

  it('prunes buckets past their retention when maintained', async () => {
    const key = await createKey(t);
    const start = t.clock.now();
    await verify(key.secret);
    await t.flush();
    await t.services.usage.maintain();
    const minutes = range(start - HOUR, start + HOUR, 'minute');
    const hours = range(start - HOUR, start + HOUR, 'hour');
    const total = async (query: string) => (await usageOf(key.id, query)).buckets.reduce((sum: number, b: { total: number }) => sum + b.total, 0);
    expect([await total(minutes), await total(hours)]).toEqual([1, 1]);

    t.clock.advance(49 * HOUR);
    await t.services.usage.maintain();
    expect([await total(minutes), await total(hours)]).toEqual([0, 1]);
    t.clock.advance(91 * DAY);
    await t.services.usage.maintain();
    expect(await total(hours)).toBe(0);
    expect(await total(range(start - DAY, start + DAY, 'day'))).toBe(1);
  });

  it('answers 404 for a key the caller may not read, and for an unknown key', async () => {
    const key = await createKey(t, { organization_id: 'org_usage_other' });
    const outsider = await sessionFor(t, 'user_usage_outsider', [{ id: 'org_usage_mine', role: 'admin' }]);
    expect((await as(t, outsider).get(`/v1/keys/${key.id}/usage`)).statusCode).toBe(404);
    expect((await as(t, t.rootKey).get('/v1/keys/key_doesnotexist000000/usage')).statusCode).toBe(404);
    const member = await sessionFor(t, 'user_usage_member', [{ id: 'org_usage_other', role: 'member' }]);
    expect((await as(t, member).get(`/v1/keys/${key.id}/usage`)).statusCode).toBe(200);
  });

  it.each([
    ['granularity=week', 'granularity'],
    [`from=${at(NOW)}&to=${at(NOW - MIN)}`, 'from'],
    [`from=${at(NOW - 2001 * MIN)}&to=${at(NOW)}&granularity=minute`, 'from'],
    ['from=yesterday', 'from'],
    ['extra=1', 'extra'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const key = await createKey(t);
    const response = await as(t, t.rootKey).get(`/v1/keys/${key.id}/usage?${query}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid_request');
    expect(response.json().error.details[0].field).toBe(field);
  });
});

describe('tags on verify', () => {
  it.each([
    ['more than 10 tags', Array.from({ length: 11 }, (_, i) => `t${i}`)],
    ['a tag over 64 characters', ['x'.repeat(65)]],
    ['an empty tag', ['']],
    ['a tag that is not a string', [5]],
  ])('refuses %s with a 400 naming tags', async (_name, tags) => {
    const key = await createKey(t);
    const response = await verify(key.secret, { tags });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toMatch(/^tags/);
  });
});

describe('GET /v1/usage', () => {
  const window = (granularity = 'minute') => range(t.clock.now() - MIN, t.clock.now() + MIN, granularity);

  it('groups by key, code and tag, largest total first, within what the caller may read', async () => {
    const org = `org_g${t.clock.now()}`;
    const busy = await createKey(t, { organization_id: org });
    const quiet = await createKey(t, { organization_id: org });
    const mine = await createKey(t, { organization_id: undefined, user_id: 'user_usage_g' });
    const elsewhere = await createKey(t, { organization_id: 'org_usage_elsewhere' });
    for (let i = 0; i < 3; i++) await verify(busy.secret, { tags: ['region:eu', 'plan:pro'] });
    await verify(quiet.secret, { tags: ['region:us'], scopes: ['nope'] });
    await verify(mine.secret, { tags: ['region:us'] });
    await verify(elsewhere.secret, { tags: ['region:eu'] });
    await t.flush();

    const get = async (query: string, credential = t.rootKey) => {
      const response = await as(t, credential).get(`/v1/usage?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const byKey = await get(`organization_id=${org}&group_by=key&${window()}`);
    expect(byKey.groups).toEqual([
      { key_id: busy.id, total: 3, codes: { VALID: 3 }, credits_spent: 0 },
      { key_id: quiet.id, total: 1, codes: { INSUFFICIENT_SCOPE: 1 }, credits_spent: 0 },
    ]);
    expect(byKey.buckets.reduce((sum: number, b: { total: number }) => sum + b.total, 0)).toBe(4);
    expect((await get(`organization_id=${org}&group_by=code&${window()}`)).groups).toEqual([
      { code: 'VALID', total: 3, codes: { VALID: 3 }, credits_spent: 0 },
      { code: 'INSUFFICIENT_SCOPE', total: 1, codes: { INSUFFICIENT_SCOPE: 1 }, credits_spent: 0 },
    ]);
    expect((await get(`organization_id=${org}&group_by=tag&${window()}`)).groups.map((g: { tag: string; total: number }) => [g.tag, g.total])).toEqual([
      ['plan:pro', 3],
      ['region:eu', 3],
      ['region:us', 1],
    ]);

    // A session sees its own keys and its organizations' keys, nothing else.
    const session = await sessionFor(t, 'user_usage_g', [{ id: org, role: 'member' }]);
    const seen = await get(`group_by=key&${window()}`, session);
    expect(seen.groups.map((g: { key_id: string }) => g.key_id).sort()).toEqual([busy.id, quiet.id, mine.id].sort());
    expect((await get(`user_id=user_usage_g&group_by=tag&${window()}`, session)).groups).toEqual([
      { tag: 'region:us', total: 1, codes: { VALID: 1 }, credits_spent: 0 },
    ]);
    expect((await as(t, session).get(`/v1/usage?organization_id=org_usage_elsewhere&${window()}`)).statusCode).toBe(404);
  });

  it('groups an hour range as its buckets sum: whole days, the hours around them, and hours past retention left out', async () => {
    const org = 'org_days';
    const [a, b] = [await createKey(t, { organization_id: org }), await createKey(t, { organization_id: org })];
    const day0 = NOW - (NOW % DAY) + DAY;
    await verifiesAt(day0 + HOUR, [
      [a, 3, ['t1']],
      [b, 1],
    ]);
    await verifiesAt(day0 + DAY + 5 * HOUR, [
      [a, 1],
      [b, 2, ['t1']],
    ]);
    await verifiesAt(day0 + 2 * DAY + 5 * HOUR, [[b, 1]]);
    await verifiesAt(day0 + 3 * DAY + HOUR, [[a, 1, ['t2']]]);
    const query = (by: string) => `/v1/usage?organization_id=${org}&${range(day0 - 3 * HOUR, day0 + 3 * DAY + 3 * HOUR, 'hour')}&group_by=${by}`;
    const answer = async (by: string) => {
      const response = await as(t, t.rootKey).get(query(by));
      expect(response.statusCode, response.body).toBe(200);
      const { buckets, groups } = response.json() as { buckets: { total: number }[]; groups: Record<string, string | number>[] };
      return { total: buckets.reduce((sum, bucket) => sum + bucket.total, 0), groups: groups.map((g) => `${g.key_id ?? g.tag}: ${g.total}`) };
    };
    expect(await answer('key')).toEqual({ total: 9, groups: [`${a.id}: 5`, `${b.id}: 4`] });
    expect(await answer('tag')).toEqual({ total: 9, groups: ['t1: 5', 't2: 1'] });

    // 90 days on, the first day's morning hours are pruned (its day bucket is kept): the groups leave them out too.
    t.clock.set(day0 + 90 * DAY + 12 * HOUR);
    await t.services.usage.maintain();
    expect(await answer('key')).toEqual({ total: 5, groups: [`${b.id}: 3`, `${a.id}: 2`] });
    expect(await answer('tag')).toEqual({ total: 5, groups: ['t1: 2', 't2: 1'] });
  });

  it('keeps running totals of each day, late flushes included, and groups keys over days by them as their buckets sum', async () => {
    const org = 'org_running';
    const [a, b] = [await createKey(t, { organization_id: org }), await createKey(t, { organization_id: org })];
    const day0 = NOW - (NOW % DAY) + 200 * DAY;
    // The first day with counts is the base the totals of later days are told from.
    await verifiesAt(day0 - 2 * DAY, [[a, 1]]);
    await verifiesAt(day0 + HOUR, [
      [a, 3],
      [b, 1],
    ]);
    await verifiesAt(day0 + DAY + HOUR, [[b, 4]]);
    // Counted in the last minute of the day, flushed three minutes into the next: the rollup takes it into that day, whose totals are computed again with today's.
    t.clock.set(day0 + 2 * DAY - MIN);
    await verify(a.secret);
    await verifiesAt(day0 + 2 * DAY + 3 * MIN, []);
    expect((await t.store.runningUsageDays())?.last).toBe(day0 + 2 * DAY);
    await verifiesAt(day0 + 2 * DAY + 6 * MIN, [[a, 2]]);
    expect((await t.store.runningUsageDays())?.last).toBe(day0 + 2 * DAY);

    const groups = async (from: number, to: number) => {
      const response = await as(t, t.rootKey).get(`/v1/usage?organization_id=${org}&${range(from, to, 'day')}&group_by=key`);
      expect(response.statusCode, response.body).toBe(200);
      return (response.json() as { groups: { key_id: string; total: number }[] }).groups.map((g) => `${g.key_id}: ${g.total}`);
    };
    expect(await groups(day0, day0 + 2 * DAY)).toEqual([`${b.id}: 5`, `${a.id}: 4`]);
    expect(await groups(day0 - 5 * DAY, day0 + 3 * DAY)).toEqual([`${a.id}: 7`, `${b.id}: 5`]);
    expect(await groups(day0 + DAY, day0 + 3 * DAY)).toEqual([`${b.id}: 4`, `${a.id}: 3`]);

    // Counts flushed long after their day closed (by another instance, say) are taken in at the next start, whose maintenance rolls up the whole minute retention again.
    // The top key is picked by the running totals (the answer's sums are read from buckets): asked for one, it is a's.
    await t.store.addUsage([{ keyId: a.id, organizationId: org, userId: null, minute: day0 + DAY + 2 * HOUR, code: 'VALID', n: 10, creditsSpent: 0 }]);
    await new UsageService(t.store, t.clock, t.config.usageRetention).maintain();
    expect(await groups(day0, day0 + 2 * DAY)).toEqual([`${a.id}: 14`, `${b.id}: 5`]);
    const top = await t.store.groupUsage({ granularity: 'day', from: day0, to: day0 + 2 * DAY, organizationId: org }, 'key', 1);
    expect(top.map((sum) => [sum.at, sum.n])).toEqual([[a.id, 14]]);
  });

  it('groups an hour range up to now with its last day from the day bucket, and one ending earlier in the day from its hours', async () => {
    const org = 'org_open_day';
    const [a, b] = [await createKey(t, { organization_id: org }), await createKey(t, { organization_id: org })];
    const day0 = NOW - (NOW % DAY) + 500 * DAY;
    await verifiesAt(day0 - 2 * DAY + HOUR, [[a, 1]]);
    await verifiesAt(day0 + 9 * HOUR, [
      [a, 2],
      [b, 1],
    ]);
    await verifiesAt(day0 + 15 * HOUR + 20 * MIN, [[b, 5]]);
    const groups = async (to: number | null) => {
      const bounds = `from=${at(day0 - 3 * DAY)}${to === null ? '' : `&to=${at(to)}`}&granularity=hour`;
      const response = await as(t, t.rootKey).get(`/v1/usage?organization_id=${org}&${bounds}&group_by=key`);
      expect(response.statusCode, response.body).toBe(200);
      const { buckets, groups } = response.json() as { buckets: { total: number }[]; groups: { key_id: string; total: number }[] };
      return { total: buckets.reduce((sum, bucket) => sum + bucket.total, 0), groups: groups.map((g) => `${g.key_id}: ${g.total}`) };
    };
    // Up to now (the default, the end of the current hour) or into the current hour: all of today so far.
    expect(await groups(null)).toEqual({ total: 9, groups: [`${b.id}: 6`, `${a.id}: 3`] });
    expect(await groups(day0 + 15 * HOUR + 30 * MIN)).toEqual({ total: 9, groups: [`${b.id}: 6`, `${a.id}: 3`] });
    // Ending before the current hour: today's later hours are left out, as the buckets leave them out.
    expect(await groups(day0 + 12 * HOUR)).toEqual({ total: 4, groups: [`${a.id}: 3`, `${b.id}: 1`] });
    expect(await groups(day0 + 15 * HOUR)).toEqual({ total: 4, groups: [`${a.id}: 3`, `${b.id}: 1`] });
  });

  it("keeps today's running totals current as its buckets grow, so the top keys up to now are told by them", async () => {
    const org = 'org_today';
    const [a, b] = [await createKey(t, { organization_id: org }), await createKey(t, { organization_id: org })];
    const day0 = NOW - (NOW % DAY) + 700 * DAY;
    const first = day0 - 2 * DAY;
    await verifiesAt(first + HOUR, [[a, 1]]);
    await verifiesAt(day0 + HOUR, [
      [a, 3],
      [b, 1],
    ]);
    const top = async () => {
      const [own, all] = await Promise.all([
        t.store.groupUsage({ granularity: 'day', from: first, to: day0 + DAY, organizationId: org }, 'key', 1),
        t.store.groupUsage({ granularity: 'day', from: first, to: day0 + DAY }, 'key', 1),
      ]);
      return [own, all].map((sums) => sums.map((sum) => `${sum.at}: ${sum.n}`));
    };
    expect((await t.store.runningUsageDays())?.last).toBe(day0);
    expect(await top()).toEqual([[`${a.id}: 4`], [`${a.id}: 4`]]);
    // Later the same day b overtakes a: today's totals are computed again, not kept from the first time.
    await verifiesAt(day0 + 2 * HOUR, [[b, 5]]);
    expect(await top()).toEqual([[`${b.id}: 6`], [`${b.id}: 6`]]);
    const response = await as(t, t.rootKey).get(`/v1/usage?organization_id=${org}&from=${at(first)}&granularity=hour&group_by=key`);
    expect(response.json().groups.map((g: { key_id: string; total: number }) => `${g.key_id}: ${g.total}`)).toEqual([`${b.id}: 6`, `${a.id}: 4`]);
  });

  it('maintains a few keys at a time, recomputing only the keys counted since the last run', async () => {
    const org = 'org_steps';
    const keys: { id: string; secret: string }[] = [];
    for (let i = 0; i < 5; i++) keys.push(await createKey(t, { organization_id: org }));
    const stepped = new UsageService(t.store, t.clock, t.config.usageRetention, 2);
    const day0 = NOW - (NOW % DAY) + 900 * DAY;
    const countedAt = async (time: number, verifies: [number, number][]) => {
      t.clock.set(time);
      for (const [index, n] of verifies) for (let i = 0; i < n; i++) await verify(keys[index].secret);
      await t.flush();
      await stepped.maintain();
    };
    await countedAt(day0 - DAY + HOUR, [[4, 1]]);
    await countedAt(
      day0 + HOUR,
      keys.map((_, index) => [index, index + 1]),
    );
    await countedAt(day0 + 2 * HOUR, [
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
    await countedAt(day0 + DAY + HOUR, [[0, 20]]);
    const answer = async (granularity: string) => {
      const response = await as(t, t.rootKey).get(`/v1/usage?organization_id=${org}&${range(day0 - DAY, day0 + 2 * DAY, granularity)}&group_by=key`);
      expect(response.statusCode, response.body).toBe(200);
      const { buckets, groups } = response.json() as { buckets: { total: number }[]; groups: { key_id: string; total: number }[] };
      return {
        total: buckets.reduce((sum, bucket) => sum + bucket.total, 0),
        groups: groups.map((g) => `${keys.findIndex((key) => key.id === g.key_id)}: ${g.total}`),
      };
    };
    const expected = { total: 66, groups: ['0: 21', '3: 14', '2: 13', '1: 12', '4: 6'] };
    expect(await answer('hour')).toEqual(expected);
    expect(await answer('day')).toEqual(expected);
    // The top keys over the days, as the running totals pick them (the store answers them in no order).
    const topKeys = async (to: number, limit: number) => {
      const sums = await t.store.groupUsage({ granularity: 'day', from: day0 - DAY, to, organizationId: org }, 'key', limit);
      return sums.map((sum) => keys.findIndex((key) => key.id === sum.at)).sort();
    };
    expect([await topKeys(day0 + 2 * DAY, 1), await topKeys(day0 + 2 * DAY, 2), await topKeys(day0 + 2 * DAY, 3)]).toEqual([[0], [0, 3], [0, 2, 3]]);
    expect([await topKeys(day0 + DAY, 1), await topKeys(day0 + DAY, 2), await topKeys(day0 + DAY, 3)]).toEqual([[3], [2, 3], [1, 2, 3]]);
  });

  it('stops a pass under way before its next step, and the next start takes up what it left', async () => {
    const org = 'org_stopped';
    const [a, b] = [await createKey(t, { organization_id: org }), await createKey(t, { organization_id: org })];
    const hour = NOW - (NOW % HOUR) + 1100 * DAY;
    t.clock.set(hour + MIN);
    for (const key of [a, a, b]) await verify(key.secret);
    await t.flush();
    const totals = async () => {
      const response = await as(t, t.rootKey).get(`/v1/usage?organization_id=${org}&${range(hour, hour + HOUR, 'hour')}&group_by=key`);
      return (response.json() as { groups: { key_id: string; total: number }[] }).groups.map((g) => `${g.key_id}: ${g.total}`);
    };
    const stopped = new UsageService(t.store, t.clock, t.config.usageRetention, 1);
    const pass = stopped.maintain();
    await stopped.stop();
    await expect(pass).resolves.toBeUndefined();
    await stopped.maintain();
    expect(await totals()).toEqual([]);
    await new UsageService(t.store, t.clock, t.config.usageRetention, 1).maintain();
    expect(await totals()).toEqual([`${a.id}: 2`, `${b.id}: 1`]);
  });

  it('needs keys:read, and refuses an unknown group_by naming it', async () => {
    const verifier = await rootKeyWith(t, ['keys:verify']);
    expect((await as(t, verifier).get('/v1/usage')).statusCode).toBe(403);
    const response = await as(t, t.rootKey).get('/v1/usage?group_by=user');
    expect(response.statusCode).toBe(400);
    expect(response.json().error.details[0].field).toBe('group_by');
  });

  it('counts verifies answered by the fast lane on a real port', async () => {
    const port = Number(new URL(await t.app.listen({ host: '127.0.0.1', port: 0 })).port);
    const key = await createKey(t);
    const post = () =>
      fetch(`http://127.0.0.1:${port}/v1/keys/verify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.rootKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key: key.secret, tags: ['lane'] }),
      });
    await post();
    const served = t.lane.served;
    await post();
    await post();
    expect(t.lane.served).toBe(served + 2);
    await t.flush();
    const usage = (await as(t, t.rootKey).get(`/v1/usage?group_by=tag&${window()}`)).json();
    expect(usage.groups).toContainEqual({ tag: 'lane', total: 3, codes: { VALID: 3 }, credits_spent: 0 });
  });
});
