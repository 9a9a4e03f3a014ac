import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, InvalidRequestError, Keymint } from './index.js';
import { useSpawnedServer } from './testing/spawned.js';

const t = useSpawnedServer();

const foreign = () => `sk_test_${randomBytes(24).toString('base64url')}`;

describe('keys.import, keys.bulkRevoke, keys.export against a spawned server', () => {
  it('imports by secret and by digest in camelCase, answering per index; imported keys verify', async () => {
    const [plain, hashed] = [foreign(), foreign()];
    const answer = await t.km.keys.import([
      { name: 'plain', organizationId: 'org_sdk', secret: plain, rateLimits: [{ name: 'default', limit: 10, windowSeconds: 60 }], metadata: { legacy_id: 7 } },
      {
        name: 'hashed',
        organizationId: 'org_sdk',
        hash: { algorithm: 'sha256', encoding: 'base64', value: createHash('sha256').update(hashed).digest('base64') },
      },
      { name: 'again', organizationId: 'org_sdk', secret: plain },
    ]);
    expect(answer.imported.map((item) => item.index)).toEqual([0, 1]);
    expect(answer.failed).toEqual([{ index: 2, error: { code: 'conflict', message: expect.any(String) } }]);
    expect(await t.km.keys.verify({ key: plain })).toMatchObject({
      valid: true,
      key: { id: answer.imported[0].id, rateLimits: [{ name: 'default', limit: 10, windowSeconds: 60, autoApply: true }] },
    });
    expect((await t.km.keys.get(answer.imported[0].id)).metadata).toEqual({ legacy_id: 7 });
    expect((await t.km.keys.verify({ key: hashed })).code).toBe('VALID');
    await expect(t.km.keys.import([{ name: 'bad', hash: { algorithm: 'sha256', encoding: 'hex', value: 'x' }, secret: 'y' }])).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
  });

  it('bulk-revokes: a dry run counts, the real run revokes', async () => {
    const secrets = [foreign(), foreign(), foreign()];
    const { imported } = await t.km.keys.import(secrets.map((secret, i) => ({ name: `old ${i}`, organizationId: 'org_sdk_revoke', secret })));
    expect(imported).toHaveLength(3);
    expect(await t.km.keys.bulkRevoke({ organizationId: 'org_sdk_revoke', dryRun: true })).toEqual({ matched: 3, revoked: 0 });
    expect((await t.km.keys.verify({ key: secrets[0] })).code).toBe('VALID');
    expect(await t.km.keys.bulkRevoke({ ids: [imported[0].id, imported[1].id], reason: 'migrated' })).toEqual({ matched: 2, revoked: 2 });
    expect((await t.km.keys.verify({ key: secrets[0] })).code).toBe('REVOKED');
    expect((await t.km.keys.verify({ key: secrets[2] })).code).toBe('VALID');
    await expect(t.km.keys.bulkRevoke({ reason: 'no selector' })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('exports every key that still verifies, page after page, with its digest and never its secret', async () => {
    const created = await t.km.keys.create({ name: 'to export', organizationId: 'org_sdk_export', scopes: ['read'] });
    const second = await t.km.keys.create({ name: 'to export too', organizationId: 'org_sdk_export' });
    const exported = [];
    for await (const key of t.km.keys.exportAll({ organizationId: 'org_sdk_export', limit: 1 })) exported.push(key);
    expect(exported.map((key) => key.id).sort()).toEqual([created.id, second.id].sort());
    const digest = createHash('sha256').update(created.secret).digest('hex');
    expect(exported.find((key) => key.id === created.id)).toMatchObject({
      organizationId: 'org_sdk_export',
      scopes: ['read'],
      hash: { algorithm: 'sha256', encoding: 'hex', value: digest },
    });
    expect(JSON.stringify(exported)).not.toContain(created.secret);
    const session = await t.km.sessions.create({ userId: 'u_sdk', organizations: [{ id: 'org_sdk_export', role: 'admin' }] });
    await expect(new Keymint({ baseUrl: t.server.url, token: session.token }).keys.export()).rejects.toBeInstanceOf(ForbiddenError);
  });
});
