import { PERMISSIONS } from '@keymint/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../tokens/token-test-kit.js';
import { as, createKey, rootKeyWith, sessionFor } from '../testing/client.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import { callerOver, viaInject, viaPort, type Transport } from '../testing/transport.js';

let t: TestApp;
let address = '';
const callers: Record<string, string> = {};
beforeAll(async () => {
  t = await createTestApp();
  address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  callers.root = t.rootKey;
  callers.rootWithout = await rootKeyWith(t, ['keys:verify', 'sessions:write', 'audit:read']);
  callers.ownUser = await sessionFor(t, 'u_owner', []);
  callers.orgAdmin = await sessionFor(t, 'u_admin', [{ id: 'org_a', role: 'admin' }]);
  callers.orgMember = await sessionFor(t, 'u_member', [{ id: 'org_a', role: 'member' }]);
  callers.otherAdmin = await sessionFor(t, 'u_other', [{ id: 'org_b', role: 'admin' }]);
  callers.stranger = await sessionFor(t, 'u_stranger', []);
});
afterAll(async () => t.close());

type Caller = 'root' | 'rootWithout' | 'ownUser' | 'orgAdmin' | 'orgMember' | 'otherAdmin' | 'stranger';
type Operation = 'get' | 'update' | 'rotate' | 'revoke' | 'delete';

/** `app.inject` never reaches the verify fast lane, which sits in front of Fastify on a real port: both are held to the matrix. */
const transports: [string, () => Transport][] = [
  ['app.inject', () => viaInject(t)],
  ['a real port', () => viaPort(address)],
];

const operations: Record<Operation, (via: Transport, caller: string, id: string) => Promise<number>> = {
  get: async (via, c, id) => (await callerOver(via, c).get(`/v1/keys/${id}`)).status,
  update: async (via, c, id) => (await callerOver(via, c).patch(`/v1/keys/${id}`, { name: 'renamed' })).status,
  rotate: async (via, c, id) => (await callerOver(via, c).post(`/v1/keys/${id}/rotate`)).status,
  revoke: async (via, c, id) => (await callerOver(via, c).post(`/v1/keys/${id}/revoke`)).status,
  delete: async (via, c, id) => (await callerOver(via, c).delete(`/v1/keys/${id}`)).status,
};

const ok = { get: 200, update: 200, rotate: 200, revoke: 200, delete: 204 };
const hidden = { get: 404, update: 404, rotate: 404, revoke: 404, delete: 404 };
const readOnly = { get: 200, update: 403, rotate: 403, revoke: 403, delete: 403 };
const noPermission = { get: 403, update: 403, rotate: 403, revoke: 403, delete: 403 };

/** Expected status per caller, for a key of organization org_a and for u_owner's own key. */
const matrix: Record<'orgKey' | 'userKey', Record<Caller, Record<Operation, number>>> = {
  orgKey: { root: ok, rootWithout: noPermission, ownUser: hidden, orgAdmin: ok, orgMember: readOnly, otherAdmin: hidden, stranger: hidden },
  userKey: { root: ok, rootWithout: noPermission, ownUser: ok, orgAdmin: hidden, orgMember: hidden, otherAdmin: hidden, stranger: hidden },
};
const owners = { orgKey: { organization_id: 'org_a', user_id: 'u_member' }, userKey: { organization_id: undefined, user_id: 'u_owner' } };

describe.each(transports)('authorization matrix over %s', (_transport, transport) => {
  for (const [target, byCaller] of Object.entries(matrix) as [keyof typeof matrix, (typeof matrix)['orgKey']][]) {
    for (const [caller, expected] of Object.entries(byCaller) as [Caller, Record<Operation, number>][]) {
      it(`${caller} on ${target}: ${JSON.stringify(expected)}`, async () => {
        const seen: Record<string, number> = {};
        for (const operation of Object.keys(expected) as Operation[]) {
          const key = await createKey(t, owners[target]);
          seen[operation] = await operations[operation](transport(), callers[caller], key.id);
          // A refused change leaves the key exactly as it was.
          if (seen[operation] >= 400) {
            const after = (await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json();
            expect(after).toMatchObject({ name: 'test key', status: 'active', rotated_at: null });
          }
        }
        expect(seen).toEqual(expected);
      });
    }
  }
});

describe.each(transports)('verify over %s', (transport, via) => {
  const verify = (credential: string, secret: string) => callerOver(via(), credential).post('/v1/keys/verify', { key: secret });

  // The verify lane admits credentials the authenticator has cached, so each caller calls three times: the first
  // (through Fastify) caches its credential, the next two are the ones a lane would take.
  it('refuses every caller without keys:verify on every call, also once its credential is cached (403)', async () => {
    const key = await createKey(t, owners.orgKey);
    const client = await createKey(t, { organization_id: 'org_a', scopes: ['keymint:keys:read', 'keymint:keys:write'] });
    const refused: Record<string, string> = {
      ...callers,
      accessToken: await tokenFor(t, client),
      rootAllButVerify: await rootKeyWith(
        t,
        PERMISSIONS.filter((p) => p !== 'keys:verify'),
      ),
      rootReader: await rootKeyWith(t, ['keys:read']),
    };
    delete refused.root;
    delete refused.rootWithout;
    const seen: string[] = [];
    for (const [caller, credential] of Object.entries(refused)) {
      for (const attempt of [1, 2, 3]) {
        const answer = await verify(credential, key.secret);
        if (answer.status !== 403 || answer.body.includes(key.id)) seen.push(`${caller} #${attempt}: ${answer.status} ${answer.body.slice(0, 120)}`);
      }
    }
    expect(seen).toEqual([]);
  });

  it(`admits a root key holding keys:verify on every call${transport === 'a real port' ? ', the lane serving the cached ones' : ''}`, async () => {
    const key = await createKey(t, owners.orgKey);
    const verifier = await rootKeyWith(t, ['keys:verify']);
    const served = t.lane.served;
    for (const attempt of [1, 2, 3]) expect((await verify(verifier, key.secret)).body, `#${attempt}`).toContain('"code":"VALID"');
    expect(t.lane.served - served).toBe(transport === 'a real port' ? 2 : 0);
  });
});

describe('authorization of creates and other routes', () => {
  it.each([
    ['root', 'org_a', 201],
    ['rootWithout', 'org_a', 403],
    ['orgAdmin', 'org_a', 201],
    ['orgMember', 'org_a', 403],
    ['otherAdmin', 'org_a', 403],
    ['stranger', 'org_a', 403],
  ] as const)('%s creating a key in %s answers %i', async (caller, org, status) => {
    const response = await as(t, callers[caller]).post('/v1/keys', { name: 'new', organization_id: org });
    expect(response.statusCode).toBe(status);
  });

  it('a session creating a key with no owner makes the user its own key', async () => {
    const response = await as(t, callers.stranger).post('/v1/keys', { name: 'mine' });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ user_id: 'u_stranger', organization_id: null, created_by: 'u_stranger' });
    const other = await as(t, callers.stranger).post('/v1/keys', { name: 'theirs', user_id: 'u_owner' });
    expect(other.statusCode).toBe(403);
  });

  it('a session may not hand its key to another user', async () => {
    const key = (await as(t, callers.ownUser).post('/v1/keys', { name: 'mine' })).json();
    expect((await as(t, callers.ownUser).patch(`/v1/keys/${key.id}`, { user_id: 'u_stranger' })).statusCode).toBe(403);
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().user_id).toBe('u_owner');
  });

  it('sessions can never verify keys, mint sessions, or touch root keys and audit (403)', async () => {
    const key = await createKey(t, owners.userKey);
    for (const caller of ['ownUser', 'orgAdmin']) {
      const c = as(t, callers[caller]);
      expect((await c.post('/v1/keys/verify', { key: key.secret })).statusCode).toBe(403);
      expect((await c.post('/v1/sessions', { user_id: 'u_owner' })).statusCode).toBe(403);
      expect((await c.get('/v1/root-keys')).statusCode).toBe(403);
      expect((await c.post('/v1/root-keys', { name: 'x', permissions: ['*'] })).statusCode).toBe(403);
      expect((await c.get('/v1/audit-events')).statusCode).toBe(403);
    }
  });
});

describe('listing with a session', () => {
  it('shows exactly what the user may read, and nothing of other tenants', async () => {
    const app = await createTestApp();
    try {
      const mk = (body: Record<string, unknown>) => createKey(app, body);
      const own = await mk({ organization_id: undefined, user_id: 'u1', name: 'own' });
      const orgA = await mk({ organization_id: 'org_a', name: 'org a' });
      const orgAOfUser = await mk({ organization_id: 'org_a', user_id: 'u1', name: 'org a, u1' });
      await mk({ organization_id: 'org_b', name: 'org b' });
      await mk({ organization_id: undefined, user_id: 'u2', name: 'u2 own' });
      await mk({ organization_id: 'org_b', user_id: 'u1', name: 'org b, u1' });
      const token = await sessionFor(app, 'u1', [{ id: 'org_a', role: 'member' }]);
      const ids = async (query: string) => {
        const response = await as(app, token).get(`/v1/keys${query}`);
        return response.statusCode === 200 ? response.json().data.map((k: { id: string }) => k.id) : response.statusCode;
      };
      expect(await ids('')).toEqual([orgAOfUser.id, orgA.id, own.id]);
      expect(await ids('?organization_id=org_a')).toEqual([orgAOfUser.id, orgA.id]);
      expect(await ids('?user_id=u1')).toEqual([orgAOfUser.id, own.id]);
      expect(await ids('?organization_id=org_b')).toBe(404);
      expect(await ids('?user_id=u2')).toEqual([]);
      const total = (await as(app, token).get('/v1/keys')).json().total_count;
      expect(total).toBe(3);
    } finally {
      await app.close();
    }
  });
});

describe('session tokens', () => {
  it('expire (401), and reject tampering', async () => {
    const token = await sessionFor(t, 'u_exp', []);
    expect((await as(t, token).get('/v1/keys')).statusCode).toBe(200);
    t.clock.advance(3600_000);
    expect((await as(t, token).get('/v1/keys')).statusCode).toBe(401);
    expect((await as(t, `${token.slice(0, -2)}${token.endsWith('xx') ? 'yy' : 'xx'}`).get('/v1/keys')).statusCode).toBe(401);
  });

  it('are created with bounded lifetimes and validated bodies', async () => {
    const response = await as(t, t.rootKey).post('/v1/sessions', { user_id: 'u', expires_in_seconds: 600 });
    expect(response.statusCode).toBe(201);
    expect(response.json().token).toMatch(/^kms_/);
    expect(response.json().expires_at).toBe(new Date(t.clock.now() + 600_000).toISOString());
    for (const body of [
      {},
      { user_id: 'u', expires_in_seconds: 86_401 },
      { user_id: 'u', organizations: [{ id: 'o', role: 'owner' }] },
      { user_id: 'u', extra: 1 },
    ]) {
      expect((await as(t, t.rootKey).post('/v1/sessions', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
    const noPermission = await rootKeyWith(t, ['keys:read']);
    expect((await as(t, noPermission).post('/v1/sessions', { user_id: 'u' })).statusCode).toBe(403);
  });
});
