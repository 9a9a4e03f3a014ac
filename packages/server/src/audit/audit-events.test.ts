import { describe, expect, it } from 'vitest';
import { as, createKey, rootKeyWith, sessionFor } from '../testing/client.js';
import { useTestApp } from '../testing/harness.js';

const t = useTestApp();

type Event = {
  id: string;
  action: string;
  actor: { type: string; id: string };
  key_id: string | null;
  organization_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string;
  ip: string;
  user_agent: string | null;
};

/** A stored audit record shaped like an API event (for writing through the store directly). */
const auditLike = (event: Event) => ({
  id: event.id,
  action: 'key.updated' as const,
  actorType: 'root_key' as const,
  actorId: 'rk_test',
  organizationId: null,
  keyId: null,
  ip: null,
  userAgent: null,
  requestId: null,
  before: null,
  after: null,
  createdAt: 0,
});

const allEvents = async (): Promise<Event[]> => (await as(t, t.rootKey).get('/v1/audit-events?page_size=500')).json().data;

/** Runs `change` and answers the audit events it wrote. */
async function eventsOf(change: () => Promise<unknown>): Promise<Event[]> {
  const before = new Set((await allEvents()).map((e) => e.id));
  await change();
  return (await allEvents()).filter((e) => !before.has(e.id));
}

describe('audit trail', () => {
  it('writes exactly one event per change, with actor, request id and the changed fields only', async () => {
    let key = { id: '', secret: '' } as Awaited<ReturnType<typeof createKey>>;
    const created = await eventsOf(async () => {
      key = await createKey(t, { name: 'audited', organization_id: 'org_audit' });
    });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ action: 'key.created', key_id: key.id, organization_id: 'org_audit', actor: { type: 'root_key' } });
    expect(created[0].after).toMatchObject({ name: 'audited', status: 'active' });
    expect(created[0].request_id).toMatch(/^req_/);
    expect(created[0].ip).toBe('127.0.0.1');

    const updated = await eventsOf(() => as(t, t.rootKey).patch(`/v1/keys/${key.id}`, { name: 'renamed', enabled: false }, { 'user-agent': 'audit-test/1' }));
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({
      action: 'key.updated',
      user_agent: 'audit-test/1',
      before: { name: 'audited', status: 'active' },
      after: { name: 'renamed', status: 'disabled' },
    });
    expect(Object.keys(updated[0].after!).sort()).toEqual(['name', 'status']);

    let newSecret = '';
    const rotated = await eventsOf(async () => {
      newSecret = (await as(t, t.rootKey).post(`/v1/keys/${key.id}/rotate`)).json().secret;
    });
    expect(rotated.map((e) => e.action)).toEqual(['key.rotated']);
    expect(Object.keys(rotated[0].after!).sort()).toEqual(['rotated_at', 'start']);

    const revoked = await eventsOf(() => as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`, { reason: 'done' }));
    expect(revoked.map((e) => e.action)).toEqual(['key.revoked']);
    expect(revoked[0].after).toMatchObject({ status: 'revoked', revocation_reason: 'done' });
    expect(await eventsOf(() => as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`))).toHaveLength(0);

    const deleted = await eventsOf(() => as(t, t.rootKey).delete(`/v1/keys/${key.id}`));
    expect(deleted.map((e) => e.action)).toEqual(['key.deleted']);
    expect(deleted[0].before).toMatchObject({ id: key.id, name: 'renamed' });

    const trail = JSON.stringify(await allEvents());
    expect(trail).not.toContain(key.secret);
    expect(trail).not.toContain(newSecret);
  });

  it('records root key and session changes', async () => {
    let secret = '';
    const created = await eventsOf(async () => {
      secret = await rootKeyWith(t, ['keys:read']);
    });
    expect(created.map((e) => e.action)).toEqual(['root_key.created']);
    const id = created[0].after!.id as string;
    expect((await eventsOf(() => as(t, t.rootKey).post(`/v1/root-keys/${id}/rotate`))).map((e) => e.action)).toEqual(['root_key.rotated']);
    expect((await eventsOf(() => as(t, t.rootKey).delete(`/v1/root-keys/${id}`))).map((e) => e.action)).toEqual(['root_key.deleted']);
    const session = await eventsOf(() => sessionFor(t, 'u_audit', [{ id: 'org_x', role: 'admin' }]));
    expect(session[0]).toMatchObject({ action: 'session.created', after: { user_id: 'u_audit', organizations: [{ id: 'org_x', role: 'admin' }] } });
    const trail = JSON.stringify(await allEvents());
    expect(trail).not.toContain(secret);
    expect(trail).not.toMatch(/kms_[0-9A-Za-z]{20}/);
  });

  it('names a session actor by its user', async () => {
    const token = await sessionFor(t, 'u_actor', []);
    const events = await eventsOf(() => as(t, token).post('/v1/keys', { name: 'by session' }));
    expect(events[0].actor).toEqual({ type: 'session', id: 'u_actor' });
  });

  it('writes no event for a refused or failed change', async () => {
    const key = await createKey(t);
    const member = await sessionFor(t, 'u_m', [{ id: 'org_a', role: 'member' }]);
    const failures = await eventsOf(async () => {
      await as(t, member).patch(`/v1/keys/${key.id}`, { name: 'x' });
      await as(t, t.rootKey).patch(`/v1/keys/${key.id}`, { expires_at: '2000-01-01T00:00:00Z' });
      await as(t, t.rootKey).post('/v1/keys', { name: 'no owner' });
      await as(t, t.rootKey).patch('/v1/keys/key_missing', { name: 'x' });
      await as(t, t.rootKey).post(`/v1/keys/${key.id}/revoke`);
      await as(t, t.rootKey).post(`/v1/keys/${key.id}/rotate`);
    });
    expect(failures.map((e) => e.action)).toEqual(['key.revoked']);
  });

  it('filters by organization, key, action and time, newest first, paged', async () => {
    const a = await createKey(t, { organization_id: 'org_f' });
    t.clock.advance(1000);
    const from = new Date(t.clock.now()).toISOString();
    await as(t, t.rootKey).patch(`/v1/keys/${a.id}`, { name: 'f2' });
    const b = await createKey(t, { organization_id: 'org_f' });
    const list = async (query: string) => (await as(t, t.rootKey).get(`/v1/audit-events?${query}`)).json();
    expect((await list('organization_id=org_f')).data.map((e: Event) => e.key_id)).toEqual([b.id, a.id, a.id]);
    expect((await list(`key_id=${a.id}`)).data.map((e: Event) => e.action)).toEqual(['key.updated', 'key.created']);
    expect((await list('organization_id=org_f&action=key.created')).total_count).toBe(2);
    expect((await list(`organization_id=org_f&from=${from}`)).total_count).toBe(2);
    expect((await list(`organization_id=org_f&to=${from}`)).total_count).toBe(1);
    const page = await list('organization_id=org_f&page_size=1&page=2');
    expect(page).toMatchObject({ total_count: 3, page: 2, page_size: 1 });
    expect(page.data[0].action).toBe('key.updated');
    for (const query of ['action=key.exploded', 'from=yesterday', 'page_size=0', 'secret=1']) {
      expect((await as(t, t.rootKey).get(`/v1/audit-events?${query}`)).statusCode, query).toBe(400);
    }
  });

  it('stands or falls with its change: an audit write that fails undoes the change', async () => {
    const key = await createKey(t, { name: 'atomic' });
    const [existing] = await allEvents();
    // Reusing an existing event id makes the audit insert fail inside the change's transaction.
    await expect(
      t.store.changeKey(key.id, (current) => ({
        key: { ...current, name: 'should not stick' },
        audit: { ...auditLike(existing), id: existing.id },
      })),
    ).rejects.toThrow();
    expect((await as(t, t.rootKey).get(`/v1/keys/${key.id}`)).json().name).toBe('atomic');
    const record = (await t.store.getKey(key.id))!;
    await expect(t.store.insertKey({ ...record, id: 'key_atomic_copy' }, 'f'.repeat(64), { ...auditLike(existing), id: existing.id })).rejects.toThrow();
    expect(await t.store.getKey('key_atomic_copy')).toBeNull();
  });

  it('needs audit:read', async () => {
    const noAudit = await rootKeyWith(t, ['keys:read']);
    expect((await as(t, noAudit).get('/v1/audit-events')).statusCode).toBe(403);
  });
});
