import { describe, expect, it } from 'vitest';
import { as, rootKeyWith, sessionFor } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';

const t = useTestApp();

type Orgs = { id: string; role: 'admin' | 'member' }[];

/** Mints a session with `credential`; answers the status and body. */
async function mint(credential: string, organizations: Orgs, userId = 'u_mint') {
  const response = await as(t, credential).post('/v1/sessions', { user_id: userId, organizations });
  return { status: response.statusCode, body: response.json() };
}

/** A token works when it can list keys: the first call resolves it, the second is served from the cache. */
async function works(token: string): Promise<boolean> {
  const statuses = [(await as(t, token).get('/v1/keys')).statusCode, (await as(t, token).get('/v1/keys')).statusCode];
  if (statuses[0] !== statuses[1]) throw new Error(`unstable answer ${statuses.join()}`);
  return statuses[0] === 200;
}

const revokedEvents = async () =>
  (await as(t, t.rootKey).get('/v1/audit-events?action=session.revoked&page_size=500')).json().data as {
    actor: { type: string; id: string };
    before: Record<string, unknown>;
  }[];

describe('POST /v1/sessions', () => {
  it('answers the session id, token and expiry', async () => {
    const { status, body } = await mint(t.rootKey, []);
    expect(status).toBe(201);
    expect(Object.keys(body).sort()).toEqual(['expires_at', 'id', 'token']);
    expect(body.id).toMatch(/^ses_/);
    expect(body.token).toMatch(/^kms_/);
  });

  const none: Orgs = [];
  const member: Orgs = [{ id: 'org_m', role: 'member' }];
  const admin: Orgs = [{ id: 'org_a', role: 'admin' }];
  const both: Orgs = [...admin, ...member];
  it.each([
    [['sessions:write'], { none: 403, member: 403, admin: 403, both: 403 }],
    [['sessions:write', 'keys:read'], { none: 403, member: 403, admin: 403, both: 403 }],
    [['sessions:write', 'keys:write'], { none: 403, member: 403, admin: 403, both: 403 }],
    [['sessions:write', 'keys:read', 'keys:write'], { none: 201, member: 201, admin: 201, both: 201 }],
    [['keys:read', 'keys:write'], { none: 403, member: 403, admin: 403, both: 403 }],
    [['*'], { none: 201, member: 201, admin: 201, both: 201 }],
  ])('a minter holding %j gets %j', async (permissions, expected) => {
    const minter = await rootKeyWith(t, permissions);
    const seen: Record<string, number> = {};
    for (const [name, organizations] of Object.entries({ none, member, admin, both })) {
      const { status, body } = await mint(minter, organizations, `u_${name}`);
      seen[name] = status;
      if (status === 403) expect(body.error.code).toBe('forbidden');
    }
    expect(seen).toEqual(expected);
  });
});

describe('ending sessions', () => {
  it('DELETE /v1/sessions/{id} ends a session at once (204), then 404; unknown ids 404', async () => {
    const { body } = await mint(t.rootKey, [{ id: 'org_d', role: 'admin' }], 'u_delete');
    const kept = await sessionFor(t, 'u_delete', []);
    expect(await works(body.token)).toBe(true);
    const deleted = await as(t, t.rootKey).delete(`/v1/sessions/${body.id}`);
    expect(deleted.statusCode).toBe(204);
    expect((await as(t, body.token).get('/v1/keys')).statusCode).toBe(401);
    expect(await works(kept)).toBe(true);
    expect((await as(t, t.rootKey).delete(`/v1/sessions/${body.id}`)).statusCode).toBe(404);
    expect((await as(t, t.rootKey).delete('/v1/sessions/ses_unknown')).statusCode).toBe(404);
    const events = (await revokedEvents()).filter((e) => e.before.session_id === body.id);
    expect(events).toHaveLength(1);
    expect(events[0].before).toMatchObject({ user_id: 'u_delete', organizations: [{ id: 'org_d', role: 'admin' }] });
    expect(JSON.stringify(events)).not.toContain(body.token);
  });

  it('an expired session is not ended again (404)', async () => {
    const { body } = await mint(t.rootKey, [], 'u_expired');
    t.clock.advance(3600_000);
    expect((await as(t, t.rootKey).delete(`/v1/sessions/${body.id}`)).statusCode).toBe(404);
  });

  it('POST /v1/sessions/revoke ends every session of one user, answering how many', async () => {
    const tokens = [await sessionFor(t, 'u_revoke', []), await sessionFor(t, 'u_revoke', [{ id: 'org_r', role: 'admin' }])];
    const other = await sessionFor(t, 'u_revoke_not', []);
    for (const token of tokens) expect(await works(token)).toBe(true);
    const before = (await revokedEvents()).length;
    const revoked = await as(t, t.rootKey).post('/v1/sessions/revoke', { user_id: 'u_revoke' });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toEqual({ revoked: 2 });
    for (const token of tokens) expect((await as(t, token).get('/v1/keys')).statusCode).toBe(401);
    expect(await works(other)).toBe(true);
    const all = await revokedEvents();
    const events = all.slice(0, all.length - before);
    expect(events.map((e) => e.before.user_id)).toEqual(['u_revoke', 'u_revoke']);
    expect((await as(t, t.rootKey).post('/v1/sessions/revoke', { user_id: 'u_revoke' })).json()).toEqual({ revoked: 0 });
    for (const body of [{}, { user_id: '' }, { user_id: 'u', extra: 1 }]) {
      expect((await as(t, t.rootKey).post('/v1/sessions/revoke', body)).statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it('need sessions:write (403), and a session may not end sessions', async () => {
    const token = await sessionFor(t, 'u_guard', []);
    const keysOnly = await rootKeyWith(t, ['keys:read', 'keys:write']);
    const id = (await mint(t.rootKey, [], 'u_guard')).body.id;
    for (const caller of [keysOnly, token]) {
      expect((await as(t, caller).delete(`/v1/sessions/${id}`)).statusCode).toBe(403);
      expect((await as(t, caller).post('/v1/sessions/revoke', { user_id: 'u_guard' })).statusCode).toBe(403);
    }
    expect(await works(token)).toBe(true);
  });

  it('deleting a root key ends the sessions it minted, and only those', async () => {
    const minter = (await as(t, t.rootKey).post('/v1/root-keys', { name: 'minter', permissions: ['sessions:write', 'keys:read', 'keys:write'] })).json();
    const minterSecret: string = minter.secret;
    const minted = [(await mint(minterSecret, [], 'u_minted')).body, (await mint(minterSecret, [{ id: 'org_x', role: 'member' }], 'u_minted2')).body];
    const other = await sessionFor(t, 'u_minted', []);
    for (const session of minted) expect(await works(session.token)).toBe(true);
    expect((await as(t, t.rootKey).delete(`/v1/root-keys/${minter.id}`)).statusCode).toBe(204);
    for (const session of minted) expect((await as(t, session.token).get('/v1/keys')).statusCode).toBe(401);
    expect(await works(other)).toBe(true);
    const ended = (await revokedEvents()).filter((e) => minted.some((s) => s.id === e.before.session_id));
    expect(ended).toHaveLength(2);
    expect(ended[0].actor.type).toBe('root_key');
  });
});
