import type { CreateSessionBody, RevokedSessions, Session } from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import { holds } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { forbidden, notFound, unauthorized } from '../errors.js';
import { newId } from '../ids.js';
import { mintSecret } from '../credentials/secret.js';
import type { AuditRecord, Millis, SessionRecord } from '../store/records.js';
import type { SessionSelector, Store } from '../store/store.js';

/** How audit events show a session: who it is for and until when, never its token. */
function sessionView(session: SessionRecord): Record<string, unknown> {
  return {
    session_id: session.id,
    user_id: session.userId,
    organizations: session.organizations,
    expires_at: new Date(session.expiresAt).toISOString(),
  };
}

/** The `session.revoked` event of one session ended by `actor`. */
export const sessionRevokedEvent = (actor: Actor, session: SessionRecord, now: Millis): AuditRecord =>
  auditEvent(actor, 'session.revoked', {}, { before: sessionView(session) }, now);

/**
 * A session never carries more than its minter holds: every session reads and manages the
 * user's own keys (`keys:read`, `keys:write`), and its roles read (member) or manage (admin) an
 * organization's keys. Throws 403 naming what the minter lacks.
 */
function assertMinterHolds(actor: Actor): void {
  const { principal } = actor;
  if (principal.type !== 'root_key') throw forbidden('This route needs a root key.');
  if (!holds(principal, 'keys:write')) throw forbidden("Minting a session needs keys:write: a session manages the user's own keys.");
  // Every session reads (its user's keys, and its organizations' as member or admin): a minter
  // without keys:read would hand out more than it holds, whatever the roles.
  if (!holds(principal, 'keys:read')) throw forbidden('Minting a session needs keys:read: a session reads keys.');
}

/**
 * Delegated sessions. Tokens are stored (by digest), not signed: every instance shares the
 * store, no signing key needs managing, and a stored session can be ended early. The token
 * has the API key secret format (`kms_…` with checksum), so typos fail without a lookup.
 */
export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Tells every instance that resolved credentials (sessions among them) must be looked up again. */
    private readonly onEnd: () => Promise<void>,
  ) {}

  async create(actor: Actor, body: CreateSessionBody): Promise<Session> {
    assertMinterHolds(actor);
    const now = this.clock.now();
    const expiresAt = now + (body.expires_in_seconds ?? 3600) * 1000;
    const minted = mintSecret('kms');
    const organizations = [...new Map((body.organizations ?? []).map((o) => [o.id, o])).values()];
    const session: SessionRecord = {
      id: newId('ses'),
      digest: minted.digest,
      userId: body.user_id,
      organizations,
      createdBy: actor.principal.id,
      createdAt: now,
      expiresAt,
    };
    const inserted = await this.store.insertSession(session, auditEvent(actor, 'session.created', {}, { after: sessionView(session) }, now));
    // The minting root key was deleted while this request ran: it cannot mint any more.
    if (!inserted) throw unauthorized('The credential is invalid, revoked or expired.');
    return { id: session.id, token: minted.secret, expires_at: new Date(expiresAt).toISOString() };
  }

  /** Ends one session at once, on every instance; 404 when it is unknown or already ended. */
  async delete(actor: Actor, id: string): Promise<void> {
    if ((await this.end(actor, { id })) === 0) throw notFound('Session');
  }

  /** Ends every live session of one end user. */
  async revokeForUser(actor: Actor, userId: string): Promise<RevokedSessions> {
    return { revoked: await this.end(actor, { userId }) };
  }

  private async end(actor: Actor, which: SessionSelector): Promise<number> {
    const now = this.clock.now();
    const ended = await this.store.endSessions(which, now, (session) => sessionRevokedEvent(actor, session, now));
    if (ended.length > 0) await this.onEnd();
    return ended.length;
  }
}
