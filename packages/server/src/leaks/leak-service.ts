import { raising } from '../webhooks/raise.js';
import type { LeakAction } from '../config.js';
import type { Clock } from '../clock.js';
import { digestSecret } from '../credentials/digest.js';
import { isWellFormedSecret } from '../credentials/secret.js';
import { newId } from '../ids.js';
import { changedFields, presentKey } from '../keys/present.js';
import type { Invalidation } from '../keys/verify-cache.js';
import type { AuditRecord, KeyRecord, Millis } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Who reported a leak, for the audit trail: the channel (`github`, `public`) and the request. */
export interface LeakReporter {
  channel: 'github' | 'public';
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

/** One reported secret and where it was seen. */
export interface ReportedSecret {
  secret: string;
  sourceUrl: string | null;
}

/** Everything the leak service needs, passed in. */
export interface LeakServiceDeps {
  store: Store;
  clock: Clock;
  /** `revoke` (default): a leaked key is marked and revoked; `notify`: only marked. */
  action: LeakAction;
  /** Drops the verify caches of a changed key on every instance. */
  invalidate(invalidation: Invalidation): Promise<void>;
}

/** Revocation reason of a key revoked because its secret leaked. */
export const LEAKED_REASON = 'leaked';

/**
 * A key after a leak report: marked with when and where (and revoked with reason `leaked` unless
 * `action` is `notify`); null when an earlier report already marked it, so a repeated report
 * changes nothing and writes no second event. A key revoked before keeps its revocation.
 */
export function leakedKey(key: KeyRecord, sourceUrl: string | null, action: LeakAction, now: Millis): KeyRecord | null {
  if (key.leakedAt !== null) return null;
  const next: KeyRecord = { ...key, leakedAt: now, leakSourceUrl: sourceUrl, updatedAt: now };
  if (action === 'revoke' && key.revokedAt === null) Object.assign(next, { revokedAt: now, revocationReason: LEAKED_REASON });
  return next;
}

/**
 * The one leak handler, whatever channel the report came by (GitHub secret scanning, the public
 * report endpoint). Secrets that fail the checksum cost no hashing or lookup; the rest are looked
 * up in one batched query, and each key found is changed in its own transaction with its
 * `key.leaked` audit event, then dropped from every instance's cache.
 */
export class LeakService {
  constructor(private readonly deps: LeakServiceDeps) {}

  /**
   * Handles `reports`; answers, for each secret, whether it names a key of this server (a true
   * positive, already reported or not). Never logs a secret.
   */
  async handle(reports: readonly ReportedSecret[], reporter: LeakReporter): Promise<boolean[]> {
    const { store, clock } = this.deps;
    const digests = reports.map((report) => (isWellFormedSecret(report.secret) ? digestSecret(report.secret) : null));
    const wellFormed = digests.filter((digest): digest is string => digest !== null);
    if (wellFormed.length === 0) return reports.map(() => false);

    const found = await store.findKeyIdsByDigests(wellFormed);
    const now = clock.now();
    // A replaced secret past its grace period opens nothing: it is not this server's secret any more.
    const keyIdOf = (digest: string | null) => {
      const hit = digest === null ? undefined : found.get(digest);
      return hit && (hit.validUntil === null || hit.validUntil > now) ? hit.keyId : undefined;
    };
    // One change per key, with the first source URL reported for it.
    const sources = new Map<string, string | null>();
    reports.forEach((report, i) => {
      const keyId = keyIdOf(digests[i]);
      if (keyId !== undefined && !sources.has(keyId)) sources.set(keyId, report.sourceUrl);
    });
    await Promise.all([...sources].map(([keyId, sourceUrl]) => this.markLeaked(keyId, sourceUrl, reporter, now)));
    return digests.map((digest) => keyIdOf(digest) !== undefined);
  }

  private async markLeaked(keyId: string, sourceUrl: string | null, reporter: LeakReporter, now: Millis): Promise<void> {
    let changed = false;
    await this.deps.store.changeKey(keyId, (current) => {
      const next = leakedKey(current, sourceUrl, this.deps.action, now);
      if (!next) return null;
      changed = true;
      return { key: next, audit: leakEvent(reporter, current, next, now) };
    });
    if (changed) await this.deps.invalidate({ keyId });
  }
}

/**
 * The `key.leaked` event: by the system, on behalf of the reporting channel, with the request it
 * came in; it raises the `key.leaked` webhook with the key and where it was found.
 */
function leakEvent(reporter: LeakReporter, before: KeyRecord, after: KeyRecord, now: Millis): AuditRecord {
  const view = presentKey(after, now);
  const diff = changedFields(presentKey(before, now), view);
  return raising(
    {
      id: newId('evt'),
      action: 'key.leaked',
      actorType: 'system',
      actorId: `leak_report:${reporter.channel}`,
      organizationId: after.organizationId,
      keyId: after.id,
      ip: reporter.ip,
      userAgent: reporter.userAgent?.slice(0, 512) ?? null,
      requestId: reporter.requestId,
      before: diff.before,
      after: diff.after,
      createdAt: now,
    },
    { ...view, source_url: after.leakSourceUrl },
  );
}
