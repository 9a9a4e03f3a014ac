import type { CreateSessionBody, Session } from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import type { Clock } from '../clock.js';
import { newId } from '../ids.js';
import { mintSecret } from '../keys/secret.js';
import type { Store } from '../store/store.js';

/**
 * Delegated sessions. Tokens are stored (by digest), not signed: every instance shares the
 * store, no signing key needs managing, and a stored session can be ended early. The token
 * has the API key secret format (`kms_…` with checksum), so typos fail without a lookup.
 */
export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async create(actor: Actor, body: CreateSessionBody): Promise<Session> {
    const now = this.clock.now();
    const expiresAt = now + (body.expires_in_seconds ?? 3600) * 1000;
    const minted = mintSecret('kms');
    const organizations = [...new Map((body.organizations ?? []).map((o) => [o.id, o])).values()];
    const id = newId('ses');
    const after = { session_id: id, user_id: body.user_id, organizations, expires_at: new Date(expiresAt).toISOString() };
    await this.store.insertSession(
      { id, digest: minted.digest, userId: body.user_id, organizations, createdBy: actor.principal.id, createdAt: now, expiresAt },
      auditEvent(actor, 'session.created', {}, { after }, now),
    );
    return { token: minted.secret, expires_at: new Date(expiresAt).toISOString() };
  }
}
