import { LRUCache } from 'lru-cache';
import { lruTime, type Clock } from '../clock.js';
import { unauthorized } from '../errors.js';
import { digestSecret } from '../credentials/digest.js';
import type { Store } from '../store/store.js';
import type { Principal } from './principal.js';

/** Turns an access token (a JWT) into a principal; supplied by the client-credentials module. */
export type AccessTokenVerifier = (token: string) => Promise<Principal | null>;

/** Longest bearer credential considered; anything longer is refused unread. */
const MAX_CREDENTIAL_LENGTH = 4096;
/** `Bearer <credential>`. */
const BEARER = /^Bearer[ ]+(\S+)\s*$/i;
/** A JWT: three base64url parts. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** How long a resolved root key or session is served from memory before the store is asked again, ms. */
const CREDENTIAL_CACHE_TTL_MS = 60_000;

type Cached = { principal: Principal; expiresAt: number | null };

/**
 * Resolves `Authorization: Bearer <credential>` to a principal: a root key (any stored root key
 * digest, including `KEYMINT_ROOT_KEY`), a session token (`kms_…`), or an access token (JWT).
 * Verify calls authenticate on every request, so resolved root keys and sessions are cached by
 * digest; root key changes and ended sessions clear the cache here and, through the bus, on
 * every instance.
 */
export class Authenticator {
  private readonly cache: LRUCache<string, Cached>;
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly onRootKeyUsed: (id: string, at: number) => void,
    /** Access tokens are refused (401) without one. */
    private readonly accessTokens?: AccessTokenVerifier,
  ) {
    this.cache = new LRUCache<string, Cached>({ max: 10_000, ttl: CREDENTIAL_CACHE_TTL_MS, ...lruTime(clock) });
  }

  /**
   * The principal of a bearer header: synchronously when its credential is cached (the verify
   * hot path pays no promise), else after one store read. Throws `unauthorized` for bad headers.
   */
  authenticate(header: string | undefined): Principal | Promise<Principal> {
    const credential = bearer(header);
    if (JWT_SHAPE.test(credential)) return this.accessToken(credential);
    const digest = digestSecret(credential);
    const cached = this.cache.get(digest);
    return cached ? this.admit(cached, digest) : this.resolve(credential, digest);
  }

  /**
   * The principal of a bearer header when its credential is already cached and still admitted,
   * else undefined (never throws, never reads the store): the verify fast lane serves only these
   * and leaves every other caller to the full route, which answers 401s and first uses.
   */
  cached(header: string | undefined): Principal | undefined {
    const credential = header === undefined ? undefined : credentialIn(header);
    if (credential === undefined || JWT_SHAPE.test(credential)) return undefined;
    const digest = digestSecret(credential);
    const entry = this.cache.get(digest);
    if (!entry || ended(entry, this.clock.now())) return undefined;
    return this.admit(entry, digest);
  }

  /** Forgets every resolved credential (a root key changed or a session ended somewhere). */
  forget(): void {
    this.generation++;
    this.cache.clear();
  }

  private async accessToken(token: string): Promise<Principal> {
    const principal = await this.accessTokens?.(token);
    if (!principal) throw unauthorized('The access token is invalid or expired.');
    return principal;
  }

  private async resolve(credential: string, digest: string): Promise<Principal> {
    const mark = this.generation;
    const entry = await this.lookup(credential, digest);
    if (!entry) throw unauthorized('The credential is invalid, revoked or expired.');
    if (mark === this.generation) this.cache.set(digest, entry);
    return this.admit(entry, digest);
  }

  /** Lets a resolved credential in unless its session ended; records root key use. */
  private admit(entry: Cached, digest: string): Principal {
    const now = this.clock.now();
    if (ended(entry, now)) {
      this.cache.delete(digest);
      throw unauthorized('The session has expired.');
    }
    if (entry.principal.type === 'root_key') this.onRootKeyUsed(entry.principal.id, now);
    return entry.principal;
  }

  private async lookup(credential: string, digest: string): Promise<Cached | null> {
    if (credential.startsWith('kms_')) {
      const session = await this.store.findSessionByDigest(digest);
      if (!session) return null;
      return {
        expiresAt: session.expiresAt,
        principal: {
          type: 'session',
          id: session.id,
          userId: session.userId,
          organizations: new Map(session.organizations.map((o) => [o.id, o.role])),
        },
      };
    }
    const rootKey = await this.store.findRootKeyByDigest(digest);
    if (!rootKey) return null;
    return { expiresAt: null, principal: { type: 'root_key', id: rootKey.id, permissions: new Set(rootKey.permissions) } };
  }
}

/** The credential of an `Authorization: Bearer …` header, or 401. */
function bearer(header: string | undefined): string {
  if (!header) throw unauthorized('Missing Authorization: Bearer header.');
  const credential = credentialIn(header);
  if (credential === undefined) throw unauthorized('Malformed Authorization header; expected "Bearer <credential>".');
  return credential;
}

/** The credential of a well-formed `Bearer …` header within the length bound, else undefined. */
export function credentialIn(header: string): string | undefined {
  const credential = BEARER.exec(header)?.[1];
  return credential !== undefined && credential.length <= MAX_CREDENTIAL_LENGTH ? credential : undefined;
}

/** True once a resolved credential's session has ended (root keys have no end). */
const ended = (entry: Cached, now: number) => entry.expiresAt !== null && entry.expiresAt <= now;
