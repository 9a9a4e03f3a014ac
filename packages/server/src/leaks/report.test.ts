import { describe, expect, it, vi } from 'vitest';
import { as, createKey } from '../testing/client.js';
import { useTestApp, type TestApp } from '../testing/harness.js';
import { mintSecret } from '../credentials/secret.js';

const t = useTestApp({ env: { KEYMINT_LEAK_REPORTS_PER_IP: '3' } });

/** Posts a public report from `ip`, with no credential. */
const report = (app: TestApp, body: unknown, ip = '203.0.113.1') =>
  app.app.inject({
    method: 'POST',
    url: '/v1/leaks/report',
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    remoteAddress: ip,
  });
const getKey = async (id: string) => (await as(t, t.rootKey).get(`/v1/keys/${id}`)).json();

describe('POST /v1/leaks/report', () => {
  it('answers 202 with the same body for real and garbage secrets, and revokes the real ones', async () => {
    const key = await createKey(t);
    const real = await report(t, { keys: [key.secret], source_url: 'https://pastebin.example/abc' }, '198.51.100.1');
    const garbage = await report(t, { keys: ['hello', mintSecret('km').secret] }, '198.51.100.2');
    expect([real.statusCode, garbage.statusCode]).toEqual([202, 202]);
    expect(real.json()).toEqual({ received: 1 });
    expect(garbage.json()).toEqual({ received: 2 });
    expect(await getKey(key.id)).toMatchObject({ status: 'revoked', revocation_reason: 'leaked', leak_source_url: 'https://pastebin.example/abc' });
    const events = (await as(t, t.rootKey).get(`/v1/audit-events?key_id=${key.id}&action=key.leaked`)).json();
    expect(events.data).toMatchObject([{ actor: { type: 'system', id: 'leak_report:public' }, ip: '198.51.100.1' }]);
    expect((await as(t, t.rootKey).post('/v1/keys/verify', { key: key.secret })).json().code).toBe('REVOKED');
  });

  it('looks nothing up for secrets that fail the checksum', async () => {
    const key = await createKey(t);
    const lookups = vi.spyOn(t.store, 'findKeyIdsByDigests');
    try {
      const typo = key.secret.slice(0, 10) + (key.secret[10] === 'x' ? 'y' : 'x') + key.secret.slice(11);
      expect((await report(t, { keys: [typo, 'km_short', 'x'.repeat(512)] }, '198.51.100.3')).statusCode).toBe(202);
      expect(lookups).not.toHaveBeenCalled();
      expect((await report(t, { keys: [typo, key.secret] }, '198.51.100.3')).statusCode).toBe(202);
      expect(lookups).toHaveBeenCalledTimes(1);
      expect(lookups.mock.calls[0][0]).toHaveLength(1);
    } finally {
      lookups.mockRestore();
    }
  });

  it('limits reports per IP: 429 with Retry-After past the limit, other IPs unaffected, again once the window passes', async () => {
    const ip = '192.0.2.9';
    for (let i = 0; i < 3; i++) expect((await report(t, { keys: ['x'] }, ip)).statusCode).toBe(202);
    const refused = await report(t, { keys: ['x'] }, ip);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await report(t, { keys: ['x'] }, '192.0.2.10')).statusCode).toBe(202);
    t.clock.advance(60_000);
    expect((await report(t, { keys: ['x'] }, ip)).statusCode).toBe(202);
  });

  it('refuses 400 naming the field: no keys, more than 100, a secret or URL too long', async () => {
    const cases: [unknown, string][] = [
      [{ keys: [] }, 'keys'],
      [{ keys: Array.from({ length: 101 }, () => 'x') }, 'keys'],
      [{ keys: ['x'.repeat(513)] }, 'keys.0'],
      [{ keys: ['x'], source_url: 'x'.repeat(2049) }, 'source_url'],
      [{}, 'keys'],
    ];
    for (const [i, [body, field]] of cases.entries()) {
      const response = await report(t, body, `192.0.2.${100 + i}`);
      expect(response.statusCode, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(response.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('never writes a reported secret to the log, accepted or refused', async () => {
    const key = await createKey(t);
    const secrets = [key.secret, mintSecret('km').secret];
    await report(t, { keys: secrets }, '192.0.2.200');
    await report(t, { keys: secrets, source_url: 'x'.repeat(2049) }, '192.0.2.201');
    await report(t, { keys: secrets, extra: true }, '192.0.2.202');
    expect(t.logs.lines.length).toBeGreaterThan(0);
    expect(secrets.filter((secret) => t.logs.lines.some((line) => line.includes(secret)))).toEqual([]);
  });
});
