import { afterAll, describe, expect, it } from 'vitest';
import { as } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';
import { startReceiver, type Receiver } from '../testing/webhook-receiver.js';
import { isForbiddenAddress } from './address-guard.js';
import { deliver, MAX_RESPONSE_BYTES } from './deliver.js';

const receivers: Receiver[] = [];
afterAll(async () => Promise.all(receivers.map((r) => r.close())));
async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

describe('webhook URLs', () => {
  const t = useTestApp({ env: { KEYMINT_WEBHOOK_POLL_MS: '0' } });
  const create = (url: string) => as(t, t.rootKey).post('/v1/webhooks', { url, events: ['*'] });

  it('must be https:// unless KEYMINT_WEBHOOK_ALLOW_HTTP=true', async () => {
    const refused = await create('http://203.0.113.10/hook');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details).toEqual([{ field: 'url', message: 'must be an https:// URL' }]);
    expect((await create('https://203.0.113.10/hook')).statusCode).toBe(201);
  });

  it('may not point at loopback, private, link-local, metadata or unspecified addresses, in any spelling', async () => {
    const forbidden = [
      'https://127.0.0.1/',
      'https://127.1.2.3:8443/x',
      'https://localhost/',
      'https://0.0.0.0/',
      'https://10.1.2.3/',
      'https://172.16.0.1/',
      'https://192.168.1.1/',
      'https://100.64.0.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/',
      'https://[::]/',
      'https://[fe80::1]/',
      'https://[fd00:ec2::254]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:169.254.169.254]/',
      'https://[::ffff:a00:1]/',
      'https://2130706433/', // 127.0.0.1 as one number: URL normalizes it
      'https://0x7f.1/',
    ];
    for (const url of forbidden) {
      const response = await create(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.details[0].field, url).toBe('url');
    }
    const { id } = (await create('https://203.0.113.10/hook')).json();
    const patched = await as(t, t.rootKey).patch(`/v1/webhooks/${id}`, { url: 'https://[::ffff:7f00:1]/' });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.details[0].field).toBe('url');
  });

  it('the address rule, address by address', () => {
    for (const address of ['127.0.0.1', '::1', '169.254.169.254', 'fd00:ec2::254', '::ffff:10.0.0.1', '::ffff:7f00:1', '0.0.0.0', '::', '64:ff9b::7f00:1']) {
      expect(isForbiddenAddress(address), address).toBe(true);
    }
    for (const address of ['203.0.113.10', '8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isForbiddenAddress(address), address).toBe(false);
    expect(isForbiddenAddress('not-an-ip')).toBe(true);
  });
});

describe('a delivery', () => {
  const request = (url: string, allowPrivate = false) => ({ url, headers: {}, body: '{}', allowPrivate });

  it('checks the address it connects to, name or literal, so a name that now resolves to loopback is refused', async () => {
    const r = await receiver();
    const port = new URL(r.url).port;
    const literal = await deliver(request(r.url));
    expect(literal).toMatchObject({ statusCode: null, error: expect.stringContaining('forbidden address 127.0.0.1') });
    const named = await deliver(request(`http://localhost:${port}/hook`));
    expect(named).toMatchObject({ statusCode: null, error: expect.stringContaining('forbidden address') });
    expect(r.received).toHaveLength(0);
    expect(await deliver(request(r.url, true))).toEqual({ statusCode: 200, error: null });
    expect(r.received).toHaveLength(1);
  });

  it('follows no redirect', async () => {
    const target = await receiver();
    const redirecting = await receiver();
    redirecting.answer = (response) => response.writeHead(307, { location: target.url }).end();
    expect(await deliver(request(redirecting.url, true))).toEqual({ statusCode: 307, error: null });
    expect(target.received).toHaveLength(0);
  });

  it('reads at most 64 KiB of an endless answer, and gives up on a silent one', async () => {
    const endless = await receiver();
    let written = 0;
    endless.answer = (response) => {
      response.writeHead(200);
      const more = () => {
        while (written < 64 * MAX_RESPONSE_BYTES && response.write(Buffer.alloc(16 * 1024))) written += 16 * 1024;
        if (written < 64 * MAX_RESPONSE_BYTES) response.once('drain', more);
      };
      more();
    };
    expect(await deliver(request(endless.url, true))).toEqual({ statusCode: 200, error: null });
    expect(written).toBeLessThan(64 * MAX_RESPONSE_BYTES);

    const silent = await receiver();
    silent.answer = () => {};
    const started = performance.now();
    expect(await deliver({ ...request(silent.url, true), timeoutMs: 200 })).toEqual({ statusCode: null, error: 'timed out after 200 ms' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
