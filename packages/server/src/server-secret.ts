import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

/** Where the server secret came from; main.ts says so at start. */
export type ServerSecretSource = 'KEYMINT_SECRET' | 'file' | 'memory' | 'none';

/** The resolved server secret (undefined only on PostgreSQL without `KEYMINT_SECRET`). */
export interface ServerSecret {
  secret: string | undefined;
  source: ServerSecretSource;
  /** The file it is kept in (source `file`). */
  path?: string;
}

/** The SQLite database path of a `sqlite:` URL, `:memory:` included; undefined for PostgreSQL. */
export function sqlitePath(databaseUrl: string): string | undefined {
  return databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : undefined;
}

/**
 * A file beside the SQLite database for what the server keeps next to it, named after it so two
 * databases in one directory keep theirs apart: `besideDatabase('./keymint.db', 'secret')` is
 * `./keymint.db.secret`.
 */
export const besideDatabase = (dbPath: string, suffix: string) => `${dbPath}.${suffix}`;

/**
 * Writes `content` to a new file readable by its owner only (0600); fails if the file exists,
 * so nothing already there is overwritten.
 */
export function writeOwnerOnly(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // the umask may have narrowed it further, never widened; make it exact
}

/**
 * The secret that keys Idempotency-Key digests and sealed replays and seals signing keys at
 * rest: `KEYMINT_SECRET` when set; else, on SQLite, 32 random bytes kept in `<db>.secret`
 * beside the database (created on first start with mode 0600, read after), or held in memory for
 * `sqlite::memory:`; on PostgreSQL nothing (instances must share one: only the operator can give it).
 */
export function resolveServerSecret(databaseUrl: string, configured: string | undefined): ServerSecret {
  if (configured !== undefined) return { secret: configured, source: 'KEYMINT_SECRET' };
  const dbPath = sqlitePath(databaseUrl);
  if (dbPath === undefined) return { secret: undefined, source: 'none' };
  const generated = () => randomBytes(32).toString('base64url');
  if (dbPath === ':memory:') return { secret: generated(), source: 'memory' };
  const path = besideDatabase(dbPath, 'secret');
  try {
    writeOwnerOnly(path, `${generated()}\n`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${path}: the server secret in it is shorter than 32 characters`);
  return { secret, source: 'file', path };
}
