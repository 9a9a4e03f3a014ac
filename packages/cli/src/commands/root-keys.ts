import type { RootKeyInfo } from '@keymint/sdk';
import type { Command } from 'commander';
import { withClient } from '../context.js';
import { details, relativeTime, show, showSecret, table, type Output } from '../output.js';
import { collect, integer } from '../parse.js';

const rootKeyDetails = (output: Output, key: RootKeyInfo) =>
  details(output, [
    ['id', key.id],
    ['name', key.name],
    ['start', key.start],
    ['permissions', key.permissions.join(' ')],
    ['created', relativeTime(key.createdAt)],
    ['last used', relativeTime(key.lastUsedAt)],
    ['rotated', relativeTime(key.rotatedAt)],
    ['created by', key.createdBy],
  ]);

/** `keymint root-keys …`: management credentials. */
export function registerRootKeys(program: Command): void {
  const rootKeys = program.command('root-keys').description('root keys (management credentials): create, list, get, rotate, delete');

  rootKeys
    .command('create')
    .description('create a root key (its secret is printed this once)')
    .requiredOption('--name <name>', 'name of the root key')
    .requiredOption('--permission <permission>', 'a permission, e.g. keys:read or * (repeat, or comma-separate)', collect)
    .option('--secret-only', 'print only the secret, for $(…)')
    .action(
      withClient<{ name: string; permission: string[]; secretOnly?: boolean }>(async ({ client, output, options }) => {
        const key = await client.rootKeys.create({ name: options.name, permissions: options.permission as RootKeyInfo['permissions'] });
        showSecret(output, key, key.secret, options.secretOnly === true, (k) => `${rootKeyDetails(output, k)}\n\n${k.secret}`);
      }),
    );

  rootKeys
    .command('list')
    .description('list root keys')
    .option('--page <n>', 'page number', integer(1))
    .option('--page-size <n>', 'root keys per page', integer(1, 100))
    .action(
      withClient<{ page?: number; pageSize?: number }>(async ({ client, output, options }) => {
        const page = await client.rootKeys.list({ page: options.page, pageSize: options.pageSize });
        show(output, page, (p) =>
          table(
            output,
            ['ID', 'NAME', 'START', 'PERMISSIONS', 'CREATED', 'LAST USED'],
            p.data.map((k) => [k.id, k.name, k.start, k.permissions.join(' '), relativeTime(k.createdAt), relativeTime(k.lastUsedAt)]),
          ),
        );
      }),
    );

  rootKeys
    .command('get <id>')
    .description('show one root key')
    .action(
      withClient(async ({ client, output }, id) => {
        show(output, await client.rootKeys.get(id), (k) => rootKeyDetails(output, k));
      }),
    );

  rootKeys
    .command('rotate <id>')
    .description('give a root key a new secret (the old one stops at once)')
    .option('--secret-only', 'print only the secret, for $(…)')
    .action(
      withClient<{ secretOnly?: boolean }>(async ({ client, output, options }, id) => {
        const key = await client.rootKeys.rotate(id);
        showSecret(output, key, key.secret, options.secretOnly === true, (k) => `${rootKeyDetails(output, k)}\n\n${k.secret}`);
      }),
    );

  rootKeys
    .command('delete <id>')
    .description('delete a root key (its sessions end with it)')
    .action(
      withClient(async ({ client, output }, id) => {
        await client.rootKeys.delete(id);
        show(output, { id, deleted: true }, () => `deleted ${id}`);
      }),
    );
}
