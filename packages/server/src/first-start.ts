import { rmSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { besideDatabase, sqlitePath, writeOwnerOnly, type ServerSecret } from './server-secret.js';

/**
 * What a start without `KEYMINT_ROOT_KEY` on an empty store cannot do: PostgreSQL has no file
 * beside it for the generated root key (and no CLI bootstrap step yet), so it must be given.
 */
export function missingRootKey(config: Config, rootKeys: number): string | null {
  if (config.rootKey || rootKeys > 0 || sqlitePath(config.databaseUrl) !== undefined) return null;
  return 'KEYMINT_ROOT_KEY: required on first start with PostgreSQL (the store has no root key); set it to a string of at least 32 characters';
}

/** One warning at start when `KEYMINT_SECRET` is unset, naming what it protects and what stands in for it. */
export function warnAboutSecret(logger: FastifyBaseLogger, resolved: ServerSecret): void {
  if (resolved.source === 'none') {
    logger.warn(
      'KEYMINT_SECRET is unset: signing keys are stored unencrypted and Idempotency-Key replays are refused (400); set KEYMINT_SECRET, the same on every instance',
    );
  } else if (resolved.source !== 'KEYMINT_SECRET') {
    const where = resolved.path ? `the generated secret in ${resolved.path}` : 'a secret generated for this process only';
    logger.warn(
      `KEYMINT_SECRET is unset: signing keys at rest and Idempotency-Key replays are protected by ${where}; keep it out of database backups, or set KEYMINT_SECRET`,
    );
  }
}

/**
 * Hands the bootstrap root key over without a log line: written to `<db>.root-key` (mode 0600)
 * beside the SQLite database, its path printed; the secret itself printed only to a terminal.
 * Answers the text for stdout.
 */
export function handOverRootKey(config: Config, secret: string, terminal: boolean): string {
  const dbPath = sqlitePath(config.databaseUrl);
  const lines = ['', 'A root key with every permission was created.'];
  if (dbPath !== undefined && dbPath !== ':memory:') {
    const path = besideDatabase(dbPath, 'root-key');
    rmSync(path, { force: true }); // the store was empty: a file left there named a key that is gone
    writeOwnerOnly(path, `${secret}\n`);
    lines.push(`Its secret is in ${path} (readable by this user only); move it somewhere safe and delete the file.`);
  } else if (!terminal) {
    lines.push('It cannot be shown here (not a terminal, no database file to put it beside): set KEYMINT_ROOT_KEY instead.');
  }
  if (terminal) lines.push('It is shown this once:', '', `  ${secret}`);
  lines.push('', 'Use it as:  Authorization: Bearer <root key>', '', '');
  return lines.join('\n');
}
