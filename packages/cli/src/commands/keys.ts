import type { ApiKey, ApiKeyWithSecret, CreateKeyParams, ListKeysParams, UpdateKeyParams } from '@keymint/sdk';
import { Option, type Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { withClient } from '../context.js';
import { details, relativeTime, show, showSecret, table, type Output } from '../output.js';
import { collect, integer, jsonObject } from '../parse.js';
import { readHidden } from '../prompt.js';
import { parseRefill } from '../metering.js';

const STATUSES = ['active', 'disabled', 'revoked', 'expired', 'all'];

const keyDetails = (output: Output, key: ApiKey) =>
  details(output, [
    ['id', key.id],
    ['name', key.name],
    ['start', key.start],
    ['status', key.status],
    ['organization', key.organizationId],
    ['user', key.userId],
    ['scopes', key.scopes.join(' ')],
    ['metadata', Object.keys(key.metadata).length ? JSON.stringify(key.metadata) : ''],
    ['created', relativeTime(key.createdAt)],
    ['last used', relativeTime(key.lastUsedAt)],
    ['expires', key.expiresAt ? relativeTime(key.expiresAt) : 'never'],
    ...(key.revokedAt
      ? ([['revoked', `${relativeTime(key.revokedAt)}${key.revocationReason ? ` (${key.revocationReason})` : ''}`]] as [string, string][])
      : []),
  ]);

const secretDetails = (output: Output, key: ApiKeyWithSecret) => `${keyDetails(output, key)}\n\n${key.secret}`;

const keyRows = (keys: ApiKey[]) =>
  keys.map((k) => [k.id, k.name, k.start, k.status, k.organizationId, k.userId, relativeTime(k.createdAt), relativeTime(k.lastUsedAt)]);
const KEY_HEADERS = ['ID', 'NAME', 'START', 'STATUS', 'ORGANIZATION', 'USER', 'CREATED', 'LAST USED'];

interface CreateOptions {
  name: string;
  org?: string;
  user?: string;
  description?: string;
  scope?: string[];
  metadata?: Record<string, unknown>;
  prefix?: string;
  expiresAt?: string;
  expiresIn?: number;
  credits?: number;
  refill?: ReturnType<typeof parseRefill>;
  secretOnly?: boolean;
}

interface UpdateOptions {
  name?: string;
  description?: string;
  user?: string;
  scope?: string[];
  metadata?: Record<string, unknown>;
  expiresAt?: string;
  enable?: boolean;
  disable?: boolean;
}

/** `keymint keys …`: every key route of the API. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys: create, list, get, update, rotate, revoke, delete, verify');

  keys
    .command('create')
    .description('create a key (its secret is printed this once)')
    .requiredOption('--name <name>', 'name of the key')
    .option('--org <id>', 'organization the key belongs to')
    .option('--user <id>', 'user the key belongs to')
    .option('--description <text>', 'description')
    .option('--scope <scope>', 'a scope (repeat, or comma-separate)', collect)
    .option('--metadata <json>', 'metadata, a JSON object', jsonObject)
    .option('--prefix <prefix>', 'secret prefix (default km)')
    .option('--expires-at <time>', 'expiry, RFC 3339')
    .option('--expires-in <seconds>', 'expiry, seconds from now', integer(1))
    .option('--credits <n>', 'verifies it may spend (default unlimited)', integer(0))
    .option('--refill <spec>', 'AMOUNT/INTERVAL[/DAY][:add], with --credits: hourly, daily, weekly or monthly', parseRefill)
    .option('--secret-only', 'print only the secret, for $(…)')
    .action(
      withClient<CreateOptions>(async ({ client, output, options }) => {
        if (!options.org && !options.user) throw new UsageError('keys create: give --org, --user or both');
        if (options.refill && options.credits === undefined) throw new UsageError('keys create: --refill needs --credits N');
        const params: CreateKeyParams = {
          name: options.name,
          organizationId: options.org,
          userId: options.user,
          description: options.description,
          scopes: options.scope,
          metadata: options.metadata,
          prefix: options.prefix,
          expiresAt: options.expiresAt,
          secondsUntilExpiration: options.expiresIn,
          credits: options.credits === undefined ? undefined : { remaining: options.credits, refill: options.refill },
        };
        const key = await client.keys.create(params);
        showSecret(output, key, key.secret, options.secretOnly === true, (key) => secretDetails(output, key));
      }),
    );

  keys
    .command('list')
    .description('list keys, newest first')
    .option('--org <id>', 'only this organization’s keys')
    .option('--user <id>', 'only this user’s keys')
    .option('--query <text>', 'search names')
    .addOption(new Option('--status <status>', 'only keys in this state').choices(STATUSES))
    .option('--page <n>', 'page number', integer(1))
    .option('--page-size <n>', 'keys per page', integer(1, 100))
    .action(
      withClient<{ org?: string; user?: string; query?: string; status?: ListKeysParams['status']; page?: number; pageSize?: number }>(
        async ({ client, output, options }) => {
          const page = await client.keys.list({
            organizationId: options.org,
            userId: options.user,
            query: options.query,
            status: options.status,
            page: options.page,
            pageSize: options.pageSize,
          });
          show(output, page, (p) => `${table(output, KEY_HEADERS, keyRows(p.data))}\n\npage ${p.page}, ${p.data.length} of ${p.totalCount} keys`);
        },
      ),
    );

  keys
    .command('get <id>')
    .description('show one key')
    .action(
      withClient(async ({ client, output }, id) => {
        show(output, await client.keys.get(id), (key) => keyDetails(output, key));
      }),
    );

  keys
    .command('update <id>')
    .description('change the given fields of a key')
    .option('--name <name>', 'new name')
    .option('--description <text>', 'new description')
    .option('--user <id>', 'new owning user')
    .option('--scope <scope>', 'the scopes, replacing all (repeat, or comma-separate)', collect)
    .option('--metadata <json>', 'the metadata, replacing all (a JSON object)', jsonObject)
    .option('--expires-at <time>', 'new expiry, RFC 3339')
    .addOption(new Option('--enable', 'let the key verify again').conflicts('disable'))
    .addOption(new Option('--disable', 'stop the key verifying until enabled'))
    .action(
      withClient<UpdateOptions>(async ({ client, output, options }, id) => {
        const params: UpdateKeyParams = {
          name: options.name,
          description: options.description,
          userId: options.user,
          scopes: options.scope,
          metadata: options.metadata,
          expiresAt: options.expiresAt,
          enabled: options.enable ? true : options.disable ? false : undefined,
        };
        if (Object.values(params).every((v) => v === undefined)) throw new UsageError('keys update: nothing to change (see keymint keys update --help)');
        show(output, await client.keys.update(id, params), (key) => keyDetails(output, key));
      }),
    );

  keys
    .command('rotate <id>')
    .description('give a key a new secret (printed this once)')
    .option('--grace <seconds>', 'how long the old secret keeps working (default 0)', integer(0, 30 * 24 * 3600))
    .option('--secret-only', 'print only the secret, for $(…)')
    .action(
      withClient<{ grace?: number; secretOnly?: boolean }>(async ({ client, output, options }, id) => {
        const key = await client.keys.rotate(id, { previousSecretValidSeconds: options.grace });
        showSecret(output, key, key.secret, options.secretOnly === true, (k) => secretDetails(output, k));
      }),
    );

  keys
    .command('revoke <id>')
    .description('revoke a key at once, everywhere')
    .option('--reason <text>', 'why (kept with the key)')
    .action(
      withClient<{ reason?: string }>(async ({ client, output, options }, id) => {
        show(output, await client.keys.revoke(id, { reason: options.reason }), (key) => keyDetails(output, key));
      }),
    );

  keys
    .command('delete <id>')
    .description('delete a key and its secret (audit events remain)')
    .action(
      withClient(async ({ client, output }, id) => {
        await client.keys.delete(id);
        show(output, { id, deleted: true }, () => `deleted ${id}`);
      }),
    );

  keys
    .command('verify [secret]')
    .description(
      'check a secret as your API would (exit 0 whatever the outcome; the code says it); left out, the secret is asked for or read from stdin, out of the process list',
    )
    .option('--scope <scope>', 'a scope the key must hold (repeat, or comma-separate)', collect)
    .option('--cost <n>', 'credits to spend (default 1)', integer(0, 1_000_000))
    .action(
      withClient<{ scope?: string[]; cost?: number }>(async ({ client, output, options }, secret) => {
        const result = await client.keys.verify({ key: secret ?? (await readHidden('Secret: ')), scopes: options.scope, cost: options.cost });
        show(output, result, (r) => (r.key ? `${r.code}\n\n${keyDetails(output, r.key)}` : r.code));
      }),
    );
}
