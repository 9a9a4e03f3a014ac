import type { Command } from 'commander';
import { withClient } from '../context.js';
import { relativeTime, show, table } from '../output.js';

/** `keymint signing-keys …`: the keys that sign access tokens. */
export function registerSigningKeys(program: Command): void {
  const signingKeys = program.command('signing-keys').description('keys that sign access tokens: list, rotate');

  signingKeys
    .command('list')
    .description('every signing key, newest first (public facts only)')
    .action(
      withClient(async ({ client, output }) => {
        show(output, await client.signingKeys.list(), (list) =>
          table(
            output,
            ['KID', 'ALG', 'CREATED', 'RETIRED'],
            list.data.map((k) => [k.kid, k.alg, relativeTime(k.createdAt), relativeTime(k.retiredAt)]),
          ),
        );
      }),
    );

  signingKeys
    .command('rotate')
    .description('a new key signs from now on; the old one stays in the JWKS until its tokens expire')
    .action(
      withClient(async ({ client, output }) => {
        show(output, await client.signingKeys.rotate(), (k) => `now signing with ${k.kid} (${k.alg})`);
      }),
    );
}
