import type { AccessToken } from './types.js';
import type { Result } from './errors.js';

interface Entry {
  token?: AccessToken;
  pending?: Promise<Result<AccessToken>>;
}

/**
 * Client-credentials access tokens, kept until shortly before they expire so each call does not
 * mint a new one. One fetch at a time per entry: concurrent callers share it. Bounded.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    /** Refresh this long before `exp` (at most half the token's lifetime). */
    private readonly skewMs = 30_000,
    private readonly maxEntries = 100,
  ) {}

  /** The cached token for `id` while fresh, else the one `mint` answers (failures are not kept). */
  async get(id: string, mint: () => Promise<Result<AccessToken>>): Promise<Result<AccessToken>> {
    const entry = this.entries.get(id);
    if (entry?.token && this.fresh(entry.token)) return { ok: true, value: entry.token };
    if (entry?.pending) return entry.pending;
    const pending = mint().then((result) => {
      if (result.ok) this.entries.set(id, { token: result.value });
      else this.entries.delete(id);
      return result;
    });
    this.entries.delete(id);
    this.entries.set(id, { ...entry, pending });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return pending;
  }

  /** Forgets a token the server no longer accepts (answered 401). */
  drop(id: string, token?: string): void {
    const entry = this.entries.get(id);
    if (entry && !entry.pending && (token === undefined || entry.token?.accessToken === token)) this.entries.delete(id);
  }

  private fresh(token: AccessToken): boolean {
    const lifetimeMs = token.expiresIn * 1000;
    return this.now() < token.expiresAt - Math.min(this.skewMs, lifetimeMs / 2);
  }
}
