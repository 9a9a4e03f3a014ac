import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Clock } from '../clock.js';
import { ConfigError } from '../config.js';

/** A public key as GitHub publishes it (and as `KEYMINT_GITHUB_PUBLIC_KEYS` gives it): PEM, by identifier. */
export interface GithubKeyEntry {
  key_identifier: string;
  key: string;
}

/** How long a fetched key set is used before it is fetched again. */
export const GITHUB_KEYS_TTL_MS = 60 * 60_000;
/** Least time between two fetches (an unknown identifier or a failed fetch asks again only after it). */
export const GITHUB_KEYS_MIN_REFRESH_MS = 60_000;
/** Longest a fetch of the key set may take. */
const FETCH_TIMEOUT_MS = 5000;
/** Largest key set document read. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

/** An ECDSA P-256 public key from PEM; throws when the text is none. */
export function p256Key(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not an ECDSA P-256 public key');
  return key;
}

/** A key given in `KEYMINT_GITHUB_PUBLIC_KEYS`: one that is not P-256 PEM stops the start, naming the variable. */
function givenKey(entry: GithubKeyEntry): KeyObject {
  try {
    return p256Key(entry.key);
  } catch (error) {
    throw new ConfigError('KEYMINT_GITHUB_PUBLIC_KEYS', `key ${JSON.stringify(entry.key_identifier)}: ${(error as Error).message}`);
  }
}

/** Reads GitHub's document `{public_keys: [{key_identifier, key, is_current}]}`, keeping the usable keys. */
function keysOf(document: unknown): Map<string, KeyObject> {
  const entries = (document as { public_keys?: unknown })?.public_keys;
  if (!Array.isArray(entries)) throw new Error('expected {public_keys: [...]}');
  const keys = new Map<string, KeyObject>();
  for (const entry of entries as Partial<GithubKeyEntry>[]) {
    if (typeof entry?.key_identifier !== 'string' || typeof entry.key !== 'string') continue;
    try {
      keys.set(entry.key_identifier, p256Key(entry.key));
    } catch {
      // One unusable key does not spoil the others.
    }
  }
  if (keys.size === 0) throw new Error('no usable ECDSA P-256 key in the document');
  return keys;
}

/** Where GitHub's signing keys come from: given (air-gapped servers, tests) or fetched from a URL. */
export type GithubKeySource = { fixed: readonly GithubKeyEntry[] } | { url: string };

/**
 * GitHub's secret scanning signing keys, by identifier. Given keys are used as they are. Fetched
 * keys are cached for `GITHUB_KEYS_TTL_MS`; concurrent refreshes share one fetch; a failed fetch
 * keeps the last good set; an identifier the set does not hold triggers a refresh, but fetches
 * are at least `GITHUB_KEYS_MIN_REFRESH_MS` apart, so made-up identifiers cannot make the server
 * fetch on every request.
 */
export class GithubKeys {
  private keys: Map<string, KeyObject> | undefined;
  private loadedAt = -Infinity;
  private attemptedAt = -Infinity;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly source: GithubKeySource,
    private readonly clock: Clock,
    private readonly onFetchError: (error: unknown) => void,
  ) {
    if ('fixed' in source) this.keys = new Map(source.fixed.map((entry) => [entry.key_identifier, givenKey(entry)]));
  }

  /** The key named `identifier`, refreshing the set first when it is stale or does not hold it. */
  async find(identifier: string): Promise<KeyObject | undefined> {
    if ('url' in this.source) {
      const now = this.clock.now();
      if (now - this.loadedAt >= GITHUB_KEYS_TTL_MS || !this.keys?.has(identifier)) await this.refresh(now);
    }
    return this.keys?.get(identifier);
  }

  /** True when `signature` (base64 DER ECDSA) signs `body` with the key named `identifier`. */
  async verify(identifier: string, signature: string, body: Buffer): Promise<boolean> {
    const key = await this.find(identifier);
    if (!key) return false;
    try {
      return verify('sha256', body, { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }

  private refresh(now: number): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (now - this.attemptedAt < GITHUB_KEYS_MIN_REFRESH_MS) return Promise.resolve();
    this.attemptedAt = now;
    this.refreshing = this.fetchKeys()
      .then((keys) => {
        this.keys = keys;
        this.loadedAt = now;
      }, this.onFetchError)
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  private async fetchKeys(): Promise<Map<string, KeyObject>> {
    const { url } = this.source as { url: string };
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'error', headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`GitHub keys: ${url} answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`GitHub keys: ${url} answered more than ${MAX_DOCUMENT_BYTES} bytes`);
    return keysOf(JSON.parse(text));
  }
}
