import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from '../testing/harness.js';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.app.close();
  t = undefined;
});

const messages = (app: TestApp) => app.logs.lines.map((line) => JSON.parse(line) as { level: number; msg: string });

describe('request logging', () => {
  it('writes no line per request at the default level, one pair at debug', async () => {
    for (const level of ['info', 'debug'] as const) {
      t = await createTestApp({ env: { KEYMINT_LOG_LEVEL: level } });
      const before = t.logs.lines.length;
      const answer = await t.app.inject({ method: 'POST', url: '/v1/keys/verify', payload: { key: 'not-a-key' }, headers: bearer(t.rootKey) });
      expect(answer.json()).toMatchObject({ valid: false, code: 'NOT_FOUND' });
      const lines = messages(t)
        .slice(before)
        .map((m) => m.msg);
      if (level === 'info') expect(lines).toEqual([]);
      else expect(lines).toEqual(['incoming request', 'request completed']);
      await t.close();
      t = undefined;
    }
  });

  it('still logs a failure at error level under the default level', async () => {
    t = await createTestApp({ env: { KEYMINT_LOG_LEVEL: 'info' } });
    await t.store.close();
    const answer = await t.app.inject({ method: 'GET', url: '/v1/keys?organization_id=org_1', headers: bearer(t.rootKey) });
    expect(answer.statusCode).toBe(500);
    expect(messages(t).some((m) => m.level === 50 && m.msg === 'unhandled error')).toBe(true);
  });
});
