import type { ApiKey } from '../types.js';

const encoder = new TextEncoder();

/** Hex SHA-256 of a secret: the cache never holds secrets themselves. */
async function digest(secret: string): Promise<string> {
  const bytes = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(secret)));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Keys that verified a moment ago, by digest of their secret: positive answers only, for
 * `ttlMs`, at most `maxEntries` (oldest dropped first). Denials are always asked again.
 */
export class VerifiedCache {
  private readonly entries = new Map<string, { key: ApiKey; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key a secret verified as, while fresh. */
  async get(secret: string): Promise<ApiKey | undefined> {
    const id = await digest(secret);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.until > this.now()) return entry.key;
    this.entries.delete(id);
    return undefined;
  }

  /** Remembers a key that verified. */
  async set(secret: string, key: ApiKey): Promise<void> {
    const id = await digest(secret);
    this.entries.delete(id);
    this.entries.set(id, { key, until: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** How many entries it holds (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}
