import type {
  CreateKeyBody,
  CreditsChangeBody,
  Key,
  KeyList,
  KeyWithSecret,
  ListKeysQuery,
  RotateKeyBody,
  UpdateKeyBody,
  VerifyKeyBody,
  VerifyKeyResult,
} from '@keymint/api';
import { auditEvent, type Actor } from '../audit/audit-event.js';
import { assertCanCreate, assertCanGiveScopes, assertCanManage, assertCanRead, listScope } from '../auth/access-policy.js';
import { actorOf } from '../auth/principal.js';
import type { Clock } from '../clock.js';
import { conflict, invalid, notFound } from '../errors.js';
import { newId } from '../ids.js';
import type { KeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { idempotencyDigest, requestHash, seal, unseal, type SealingInput } from './idempotency.js';
import type { InvalidationBus } from './invalidation-bus.js';
import type { LastUsedRecorder } from './last-used.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import { creditedKey, newKey, revokedKey, rotatedKey, updatedKey, verifyCode } from './policy.js';
import { keyChangeEvent, type KeyChangeAction } from './key-events.js';
import { presentCredits } from '../metering/limits-policy.js';
import { requestedCosts, type Meter, type Metered } from '../metering/meter.js';
import { changedFields, presentCachedKey, presentKey } from './present.js';
import { digestSecret } from '../credentials/digest.js';
import { mintSecret, secretShape } from '../credentials/secret.js';
import type { CachedSecret, Invalidation, VerifyCache } from './verify-cache.js';
import { raising } from '../webhooks/raise.js';

/** `last_used_at` is kept to this resolution (ms): a later use within it is not written again. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Everything the key service needs, passed in. */
export interface KeyServiceDeps {
  store: Store;
  clock: Clock;
  cache: VerifyCache;
  bus: InvalidationBus;
  lastUsed: LastUsedRecorder;
  /** Counts every verify of a found key (usage analytics), in memory; written in batches. */
  usage: UsageRecorder;
  /** Keys Idempotency-Key digests and sealed replays; undefined (PostgreSQL without `KEYMINT_SECRET`): replays refused. */
  serverSecret: string | undefined;
  /** The metering step of verify (rate limits, credits). */
  meter: Meter;
  /** Counts verify outcomes (metrics). */
  onVerify?: (code: VerifyKeyResult['code']) => void;
}

/** A create answer, and whether it was replayed from an earlier request with the same Idempotency-Key. */
export interface CreateOutcome {
  key: KeyWithSecret;
  replayed: boolean;
}

/** The API key lifecycle: the rules between routes and the store. Never sees a request. */
export class KeyService {
  constructor(private readonly deps: KeyServiceDeps) {}

  async create(actor: Actor, body: CreateKeyBody, idempotencyKey?: string): Promise<CreateOutcome> {
    const { store, clock } = this.deps;
    const { principal } = actor;
    const owner = {
      organizationId: body.organization_id ?? null,
      userId: body.user_id ?? (principal.type === 'session' && !body.organization_id ? principal.userId : null),
    };
    assertCanCreate(principal, owner);
    assertCanGiveScopes(principal, body.scopes ?? []);

    const sealing = this.sealingInput(`${principal.type}:${actorOf(principal).id}`, idempotencyKey);
    const idempotency = sealing && {
      digest: idempotencyDigest(sealing.serverSecret, sealing.credentialId, sealing.idempotencyKey),
      requestHash: requestHash(body),
    };
    if (idempotency) {
      const earlier = await store.findIdempotency(idempotency.digest);
      if (earlier) return this.replay(earlier, idempotency.requestHash, sealing);
    }

    const now = clock.now();
    const prefix = body.prefix ?? 'km';
    const minted = mintSecret(prefix);
    const record = newKey(body, owner, { id: newId('key'), start: minted.start, prefix, createdBy: actorOf(principal).id }, now);
    const key: KeyWithSecret = { ...presentKey(record, now), secret: minted.secret };
    const view = presentKey(record, now);
    const audit = raising(auditEvent(actor, 'key.created', { organizationId: record.organizationId, keyId: record.id }, { after: view }, now), view);
    const outcome = await store.insertKey(record, minted.digest, audit, idempotency && { ...idempotency, response: seal(key, sealing), createdAt: now });
    if (!outcome.inserted) return this.replay(outcome.existing, idempotency!.requestHash, sealing!);
    await this.invalidate({ digest: minted.digest });
    return { key, replayed: false };
  }

  async list(actor: Actor, query: ListKeysQuery): Promise<KeyList> {
    const now = this.deps.clock.now();
    const page = query.page ?? 1;
    const pageSize = query.page_size ?? 10;
    const { keys, total } = await this.deps.store.listKeys({
      organizationId: query.organization_id,
      userId: query.user_id,
      nameContains: query.query,
      status: query.status === 'all' ? undefined : query.status,
      owners: listScope(actor.principal, query.organization_id),
      now,
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { data: keys.map((key) => presentKey(key, now)), total_count: total, page, page_size: pageSize };
  }

  async get(actor: Actor, id: string): Promise<Key> {
    const key = await this.deps.store.getKey(id);
    if (!key) throw notFound('Key');
    assertCanRead(actor.principal, key);
    return presentKey(key, this.deps.clock.now());
  }

  async update(actor: Actor, id: string, body: UpdateKeyBody): Promise<Key> {
    const now = this.deps.clock.now();
    const key = await this.change(actor, id, (current) => {
      const next = updatedKey(current, body, now);
      if (body.user_id !== undefined) assertCanCreate(actor.principal, next);
      if (body.scopes !== undefined) assertCanGiveScopes(actor.principal, body.scopes, current.scopes);
      return { key: next, audit: this.changeEvent(actor, 'key.updated', current, next, now) };
    });
    return presentKey(key, now);
  }

  /** `POST /v1/keys/{id}/credits`: one atomic change of the balance, audited in its transaction. */
  async changeCredits(actor: Actor, id: string, change: CreditsChangeBody): Promise<Key> {
    const now = this.deps.clock.now();
    const key = await this.change(actor, id, (current) => {
      const next = creditedKey(current, change, now);
      const diff = changedFields(presentKey(current, now), presentKey(next, now));
      const audit = auditEvent(
        actor,
        'key.credits_changed',
        { organizationId: next.organizationId, keyId: id },
        { before: diff.before, after: { ...diff.after, op: change.op, amount: change.amount } },
        now,
      );
      return { key: next, audit };
    });
    return presentKey(key, now);
  }

  async rotate(actor: Actor, id: string, body: RotateKeyBody): Promise<KeyWithSecret> {
    const now = this.deps.clock.now();
    let secret = '';
    let digest = '';
    const key = await this.change(actor, id, (current) => {
      const minted = mintSecret(current.prefix);
      secret = minted.secret;
      digest = minted.digest;
      const next = rotatedKey(current, minted.start, now);
      const previousValidUntil = now + (body.previous_secret_valid_seconds ?? 0) * 1000;
      return { key: next, rotation: { digest, previousValidUntil }, audit: this.changeEvent(actor, 'key.rotated', current, next, now) };
    });
    await this.invalidate({ digest });
    return { ...presentKey(key, now), secret };
  }

  async revoke(actor: Actor, id: string, reason: string | null): Promise<Key> {
    const now = this.deps.clock.now();
    const key = await this.change(actor, id, (current) => {
      const next = revokedKey(current, reason, now);
      return next && { key: next, audit: this.changeEvent(actor, 'key.revoked', current, next, now) };
    });
    return presentKey(key, now);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const now = this.deps.clock.now();
    const deleted = await this.deps.store.deleteKey(id, (current) => {
      assertCanManage(actor.principal, current);
      const before = presentKey(current, now);
      return raising(auditEvent(actor, 'key.deleted', { organizationId: current.organizationId, keyId: id }, { before }, now), before);
    });
    if (!deleted) throw notFound('Key');
    await this.invalidate({ keyId: id });
  }

  /**
   * The hot path. A string in Keymint's format with a wrong checksum (a typo, garbage) fails
   * with no hashing or lookup; any other (a Keymint secret, or an imported one in another
   * vendor's format) is hashed once and answered from the cache synchronously (no promise, no microtask), or
   * read once from the store and cached (found or not). `last_used_at` is recorded in memory
   * and written later in a batch.
   */
  verify(body: VerifyKeyBody): VerifyKeyResult | Promise<VerifyKeyResult> {
    const costs = requestedCosts(body.rate_limits);
    if (secretShape(body.key) === 'corrupt') return this.outcome({ valid: false, code: 'NOT_FOUND' });
    const digest = digestSecret(body.key);
    const cached = this.deps.cache.get(digest);
    if (cached !== undefined) return this.answer(body, costs, cached);
    return this.fetch(digest).then((found) => this.answer(body, costs, found));
  }

  /** The checks in the contract's order: found, enabled, not expired, scopes, then metering (rate limits, credits). */
  private answer(body: VerifyKeyBody, costs: ReadonlyMap<string, number>, found: CachedSecret | null): VerifyKeyResult | Promise<VerifyKeyResult> {
    if (!found) return this.outcome({ valid: false, code: 'NOT_FOUND' });
    const now = this.deps.clock.now();
    const { key } = found;
    const code = verifyCode(key, found.validUntil, now, body.scopes ?? []);
    if (code === 'NOT_FOUND') return this.outcome({ valid: false, code });
    if (code !== 'VALID') return this.counted(body, key, { valid: false, code, key: presentCachedKey(key, now) }, 0, now);
    const metered = this.deps.meter.meter(key, costs, body.cost ?? 1, now);
    if (metered === undefined) {
      this.recordUse(key, now);
      return this.counted(body, key, { valid: true, code, key: presentCachedKey(key, now) }, 0, now);
    }
    return metered instanceof Promise ? metered.then((outcome) => this.meteredAnswer(body, key, outcome)) : this.meteredAnswer(body, key, metered);
  }

  /** A metered verify's answer; the balances are those the spend left (the cached key's may be stale). */
  private meteredAnswer(body: VerifyKeyBody, key: KeyRecord, metered: Metered): VerifyKeyResult {
    if (metered.code === 'NOT_FOUND') return this.outcome({ valid: false, code: 'NOT_FOUND' });
    const now = this.deps.clock.now();
    if (metered.code === 'VALID') this.recordUse(key, now);
    const view = presentCachedKey(key, now);
    const result: VerifyKeyResult = {
      valid: metered.code === 'VALID',
      code: metered.code,
      key: metered.credits === undefined ? view : { ...view, credits: presentCredits(metered.credits, now) },
    };
    if (metered.rateLimits) result.rate_limits = metered.rateLimits;
    if (metered.credits) result.credits_remaining = metered.credits.remaining;
    if (metered.pool) result.organization_credits_remaining = metered.pool.remaining;
    const spent = metered.code === 'VALID' && (metered.credits || metered.pool) ? (body.cost ?? 1) : 0;
    return this.counted(body, key, result, spent, now);
  }

  /** Counts the verify of a found key in its usage (in memory; written in batches), then answers it. */
  private counted(body: VerifyKeyBody, key: KeyRecord, result: VerifyKeyResult, creditsSpent: number, now: number): VerifyKeyResult {
    this.deps.usage.count({ key, code: result.code, creditsSpent, tags: body.tags, at: now });
    return this.outcome(result);
  }

  /**
   * Records a use for the batched `last_used_at` write, at most once per key per
   * `LAST_USED_RESOLUTION_MS`: a key verified a thousand times a second costs one row write a
   * minute, not one a second, so verify stays flat however many keys are in use. The cached
   * record (owned by the cache) carries the last recorded time.
   */
  private recordUse(key: KeyRecord, now: number): void {
    if (key.lastUsedAt !== null && now - key.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
    key.lastUsedAt = now;
    this.deps.lastUsed.record(key.id, now);
  }

  private outcome(result: VerifyKeyResult): VerifyKeyResult {
    this.deps.onVerify?.(result.code);
    return result;
  }

  /** Reads a secret the cache does not know from the store, and remembers the answer (or its absence). */
  private async fetch(digest: string): Promise<CachedSecret | null> {
    const { cache, store } = this.deps;
    const mark = cache.mark();
    const found = await store.findKeyByDigest(digest);
    if (found) cache.remember(digest, found, mark);
    else cache.rememberMissing(digest, mark);
    return found;
  }

  /** Applies a change decided from the current key, after checking the caller may manage it. */
  private async change(actor: Actor, id: string, decide: Parameters<Store['changeKey']>[1]): Promise<KeyRecord> {
    const key = await this.deps.store.changeKey(id, (current) => {
      assertCanManage(actor.principal, current);
      return decide(current);
    });
    if (!key) throw notFound('Key');
    await this.invalidate({ keyId: id });
    return key;
  }

  private changeEvent(actor: Actor, action: KeyChangeAction, before: KeyRecord, after: KeyRecord, now: number) {
    return keyChangeEvent(actor, action, before, after, now);
  }

  /** What seals this create's answer, when it has an Idempotency-Key; a 400 naming the header when replays are off. */
  private sealingInput(credentialId: string, idempotencyKey: string | undefined): SealingInput | undefined {
    if (idempotencyKey === undefined) return undefined;
    const { serverSecret } = this.deps;
    if (serverSecret === undefined) {
      throw invalid('Idempotency-Key', 'replays need KEYMINT_SECRET on this server (PostgreSQL); send the request without this header.');
    }
    return { serverSecret, credentialId, idempotencyKey };
  }

  private replay(earlier: { requestHash: string; response: string }, hash: string, sealing: SealingInput): CreateOutcome {
    if (earlier.requestHash !== hash) throw conflict('This Idempotency-Key was used with another request body.');
    return { key: unseal<KeyWithSecret>(earlier.response, sealing), replayed: true };
  }

  /** Drops cached state here and tells the other instances to do the same (leak handling too changes keys). */
  async invalidate(invalidation: Invalidation): Promise<void> {
    this.deps.cache.invalidate(invalidation);
    await this.deps.bus.publish(invalidation);
  }
}
