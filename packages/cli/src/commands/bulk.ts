import { readFileSync } from 'node:fs';
import type { BulkRevokeParams } from '@keymint/sdk';
import { backupSqlite, migrateStore } from '@keymint/server/maintenance';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { withClient } from '../context.js';
import { importFile } from '../import/importer.js';
import { FIELDS, MAPPINGS, type Field, type Mapping } from '../import/mappings.js';
import { wireShape } from '../import/wire.js';
import { createOutput, show } from '../output.js';

/** `--map column=field`, repeatable. */
const mapEntry = (raw: string, previous: Mapping = {}): Mapping => {
  const [column, field] = raw.split('=');
  if (!column || !field || !(FIELDS as readonly string[]).includes(field)) {
    throw new InvalidArgumentError(`expected column=field, field one of: ${FIELDS.join(', ')}`);
  }
  return { ...previous, [column]: field as Field };
};

/** The store the CLI's `serve` would use: `--database PATH` (SQLite), `--database-url`, else KEYMINT_DATABASE_URL, else ./keymint.db. */
const databaseUrlOf = (options: { database?: string; databaseUrl?: string }) =>
  options.database ? `sqlite:${options.database}` : (options.databaseUrl ?? process.env.KEYMINT_DATABASE_URL ?? 'sqlite:./keymint.db');

/** Up to 1,000 key ids per request. */
const ID_BATCH = 1000;

/** `keymint import`, `keymint export`, `keymint keys bulk-revoke`, `keymint backup`, `keymint migrate`. */
export function registerBulk(program: Command): void {
  program
    .command('import')
    .description('import keys issued elsewhere from a CSV (with a header) or JSON lines file; re-runs skip what is there, resumes after an interruption')
    .argument('<file>', 'CSV or JSON lines')
    .option('--mapping <name>', `ready-made column mapping: ${Object.keys(MAPPINGS).join(', ')}`)
    .option('--map <column=field>', 'map one column to an import field (repeat)', mapEntry)
    .action(
      withClient<{ mapping?: string; map?: Mapping }>(async ({ client, output, options }, file) => {
        if (options.mapping !== undefined && !(options.mapping in MAPPINGS)) throw new UsageError(`import: unknown --mapping ${options.mapping}`);
        const mapping = { ...(options.mapping ? MAPPINGS[options.mapping] : {}), ...options.map };
        const summary = await importFile(client, output, file, mapping);
        show(output, summary, (s) =>
          [
            `imported ${s.imported}, skipped ${s.skipped} (already there), failed ${s.failed.length}`,
            ...s.failed.map((f) => `  line ${f.line}: ${f.reason}`),
          ].join('\n'),
        );
        if (summary.failed.length) process.exitCode = 1;
      }),
    );

  program
    .command('export')
    .description(
      'print key records (never secrets) as JSON lines that `keymint import` reads back, with their SHA-256 digests; needs a root key with keys:write',
    )
    .option('--org <id>', 'only this organization’s keys')
    .action(
      withClient<{ org?: string }>(async ({ client, options }) => {
        // The wire shape (snake_case), as `keymint import` and `POST /v1/keys/import` read it.
        for await (const { id: _id, ...item } of client.keys.exportAll({ organizationId: options.org, limit: 1000 })) {
          process.stdout.write(`${JSON.stringify(wireShape(item))}\n`);
        }
      }),
    );

  const keys = program.commands.find((command) => command.name() === 'keys')!;
  keys
    .command('bulk-revoke')
    .description('revoke every key matching all the selectors given (that you may manage)')
    .option('--org <id>', 'keys of this organization')
    .option('--user <id>', 'keys of this user')
    .option('--query <text>', 'keys whose name contains this')
    .option('--ids-from <file>', 'key ids, one a line')
    .option('--reason <text>', 'revocation reason')
    .option('--dry-run', 'count, revoke nothing')
    .action(
      withClient<{ org?: string; user?: string; query?: string; idsFrom?: string; reason?: string; dryRun?: boolean }>(async ({ client, output, options }) => {
        const filters = { organizationId: options.org, userId: options.user, query: options.query, reason: options.reason, dryRun: options.dryRun === true };
        const ids = options.idsFrom === undefined ? undefined : readFileSync(options.idsFrom, 'utf8').split(/\s+/).filter(Boolean);
        if (!ids && !options.org && !options.user && !options.query) throw new UsageError('keys bulk-revoke: give --org, --user, --query or --ids-from');
        const selectors: BulkRevokeParams[] = [];
        if (ids) for (let i = 0; i < ids.length; i += ID_BATCH) selectors.push({ ...filters, ids: ids.slice(i, i + ID_BATCH) });
        else selectors.push(filters);
        const total = { matched: 0, revoked: 0 };
        for (const selector of selectors) {
          const answer = await client.keys.bulkRevoke(selector);
          total.matched += answer.matched;
          total.revoked += answer.revoked;
        }
        show(output, total, (t) => (options.dryRun ? `${t.matched} keys would be revoked (dry run)` : `revoked ${t.revoked} of ${t.matched} matched keys`));
      }),
    );

  program
    .command('backup')
    .description('copy the SQLite store to FILE with the online backup API (consistent while the server runs)')
    .argument('<file>', 'the copy to write')
    .option('--database <path>', 'SQLite file (default: KEYMINT_DATABASE_URL, else ./keymint.db)')
    .action(async (file: string, options: { database?: string }, command: Command) => {
      const { pages } = await backupSqlite(databaseUrlOf(options), file);
      show(createOutput(command.optsWithGlobals().json === true), { file, pages }, () => `backed up ${pages} pages to ${file}`);
    });

  program
    .command('migrate')
    .description('apply pending migrations to the store, without serving')
    .option('--database <path>', 'SQLite file')
    .option('--database-url <url>', 'sqlite:<path> or postgres://… (default: KEYMINT_DATABASE_URL, else sqlite:./keymint.db)')
    .action(async (options: { database?: string; databaseUrl?: string }, command: Command) => {
      await migrateStore(databaseUrlOf(options));
      show(createOutput(command.optsWithGlobals().json === true), { migrated: true }, () => 'store migrated');
    });
}
