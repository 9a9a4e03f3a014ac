import type { FastifyBaseLogger } from 'fastify';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SigningKey } from '@keymint/api';
import type { Clock } from '../clock.js';
import type { TokenAlg, TokenConfig } from '../config.js';
import { newId } from '../ids.js';
import { iso } from '../clock.js';
import type { AuditRecord, SigningKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { openPrivateKey, sealPrivateKey } from './key-sealing.js';

/** How long this instance trusts its copy of the key set before re-reading the store. */
export const KEY_REFRESH_MS = 60_000;
/** Least time between two re-reads caused by tokens naming an unknown kid. */
const UNKNOWN_KID_REFRESH_MS = 1_000;

/** The key that signs new tokens. */
export interface Signer {
  kid: string;
  alg: TokenAlg;
  key: CryptoKey;
}

interface Published {
  record: SigningKeyRecord;
  jwk: JWK;
  key: CryptoKey;
}

/** A fresh key pair for `alg`, its private half sealed; not yet stored. */
async function newSigningKey(alg: TokenAlg, now: number, secret: string | undefined): Promise<SigningKeyRecord> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = JSON.stringify(await exportJWK(pair.privateKey));
  return {
    kid,
    alg,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    privateJwk: sealPrivateKey(privateJwk, kid, secret),
    createdAt: now,
    retiredAt: null,
  };
}

/**
 * The access-token signing keys, as this instance sees them: the active key (which signs) and
 * the retired keys whose tokens may still be alive (published in the JWKS until
 * `retired_at + token TTL + KEY_REFRESH_MS`, the last allowing for instances that sign with a
 * key for up to one refresh after another instance retired it). The store is the truth; this
 * copy is re-read every `KEY_REFRESH_MS` and when a token names a kid it does not know.
 */
export class SigningKeyRing {
  private published: Published[] = [];
  private signer: Signer | null = null;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly config: TokenConfig,
    private readonly log: FastifyBaseLogger,
    /** The server secret private keys are sealed under at rest; undefined: stored as they are. */
    private readonly secret: string | undefined,
  ) {}

  /**
   * Makes sure an active key of the configured algorithm exists that this instance can open,
   * creating one (first use) or replacing the active one (algorithm changed, `KEYMINT_SECRET`
   * changed or newly set). Runs once, on first need (first token, JWKS or rotation): an RSA key
   * takes about half a second to make, which apps that never issue a token do not pay.
   * Instances racing here end with one active key: the store's guarded insert lets one win and
   * the others re-read.
   */
  ready(): Promise<void> {
    this.starting ??= this.ensureActive().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async ensureActive(): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.reload();
      const active = (await this.store.listSigningKeys()).find((k) => k.retiredAt === null) ?? null;
      if (this.signer && active && this.signer.kid === active.kid && active.alg === this.config.alg) return;
      if (active) this.log.warn({ kid: active.kid }, 'active signing key has another algorithm or cannot be opened with KEYMINT_SECRET: rotating');
      const next = await newSigningKey(this.config.alg, this.clock.now(), this.secret);
      await this.store.activateSigningKey(next, active?.kid ?? null, active && this.startupAudit(active, next));
    }
    await this.reload();
    if (!this.signer) throw new Error('no usable signing key: the active one cannot be opened with KEYMINT_SECRET');
  }

  /** The key that signs now. */
  async current(): Promise<Signer> {
    await this.ready();
    await this.refreshIfStale();
    if (!this.signer) throw new Error('no usable signing key');
    return this.signer;
  }

  /** The public key of `kid` for verification, re-reading the store (at most once a second) when unknown. */
  async verificationKey(kid: string, alg: string): Promise<CryptoKey | null> {
    await this.refreshIfStale();
    let found = this.published.find((p) => p.record.kid === kid);
    if (!found && this.clock.now() - this.loadedAt >= UNKNOWN_KID_REFRESH_MS) {
      await this.reload();
      found = this.published.find((p) => p.record.kid === kid);
    }
    return found && found.record.alg === alg ? found.key : null;
  }

  /** The JWKS document: the active key and the retired keys whose tokens may still be alive. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.ready();
    await this.refreshIfStale();
    return { keys: this.published.map((p) => p.jwk) };
  }

  /**
   * Makes a new key the signer; the replaced one stays published until its tokens have expired.
   * `audit` builds the event from the replaced and new kid, written in the same transaction.
   */
  async rotate(audit: (from: string | null, to: SigningKeyRecord) => AuditRecord): Promise<SigningKey> {
    await this.ready();
    const active = (await this.store.listSigningKeys()).find((k) => k.retiredAt === null) ?? null;
    const next = await newSigningKey(this.config.alg, this.clock.now(), this.secret);
    const won = await this.store.activateSigningKey(next, active?.kid ?? null, audit(active?.kid ?? null, next));
    await this.reload();
    // Lost a race with another rotation: that one's key is the answer.
    const winner = won ? next : (await this.store.listSigningKeys()).find((k) => k.retiredAt === null)!;
    return presentSigningKey(winner);
  }

  /** Every signing key ever made (public facts), newest first. */
  async list(): Promise<SigningKey[]> {
    return (await this.store.listSigningKeys()).map(presentSigningKey);
  }

  private async refreshIfStale(): Promise<void> {
    if (this.clock.now() - this.loadedAt >= KEY_REFRESH_MS) await this.reload();
  }

  private async reload(): Promise<void> {
    const now = this.clock.now();
    const keepMs = this.config.ttlSeconds * 1000 + KEY_REFRESH_MS;
    const records = (await this.store.listSigningKeys()).filter((k) => k.retiredAt === null || k.retiredAt + keepMs > now);
    const published: Published[] = [];
    for (const record of records) {
      const jwk = JSON.parse(record.publicJwk) as JWK;
      published.push({ record, jwk, key: (await importJWK(jwk, record.alg)) as CryptoKey });
    }
    const active = records.find((k) => k.retiredAt === null);
    const opened = active && openPrivateKey(active.privateJwk, active.kid, this.secret);
    this.signer =
      active && opened ? { kid: active.kid, alg: active.alg as TokenAlg, key: (await importJWK(JSON.parse(opened) as JWK, active.alg)) as CryptoKey } : null;
    this.published = published;
    this.loadedAt = now;
  }

  private startupAudit(from: SigningKeyRecord, to: SigningKeyRecord): AuditRecord {
    return {
      id: newId('evt'),
      action: 'signing_key.rotated',
      actorType: 'system',
      actorId: 'startup',
      organizationId: null,
      keyId: null,
      ip: null,
      userAgent: null,
      requestId: null,
      before: { kid: from.kid, alg: from.alg },
      after: { kid: to.kid, alg: to.alg },
      createdAt: to.createdAt,
    };
  }
}

/** The API's view of a signing key: never its private half. */
export function presentSigningKey(record: SigningKeyRecord): SigningKey {
  return { kid: record.kid, alg: record.alg, created_at: iso(record.createdAt)!, retired_at: iso(record.retiredAt) };
}
