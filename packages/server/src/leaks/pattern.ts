import type { LeakPattern } from '@keymint/api';

/** The prefix keys get when their create names none (`POST /v1/keys`): covered even before a key has it. */
const DEFAULT_PREFIX = 'km';

/**
 * The regular expression a scanner needs to find this server's secrets: one of `prefixes`, `_`,
 * then the 43 random base62 characters and 6 checksum characters every minted secret has, not
 * inside a longer word. Prefixes are `[a-z0-9]` (the create schema's rule), so none needs
 * escaping; longest first, so an alternation never stops at a shorter prefix of another.
 *
 * @example leakPattern(['km', 'acme']).regex // '\\b(?:acme|km)_[0-9A-Za-z]{49}\\b'
 */
export function leakPattern(prefixes: readonly string[]): LeakPattern {
  const covered = [...new Set([DEFAULT_PREFIX, ...prefixes])].sort((a, b) => b.length - a.length || a.localeCompare(b));
  return { regex: `\\b(?:${covered.join('|')})_[0-9A-Za-z]{49}\\b`, prefixes: covered };
}
