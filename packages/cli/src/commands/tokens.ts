import type { Command } from 'commander';
import { withClient } from '../context.js';
import { details, relativeTime, show, showSecret } from '../output.js';
import { readHidden } from '../prompt.js';

/** `keymint tokens …`: client-credentials access tokens. */
export function registerTokens(program: Command): void {
  const tokens = program.command('tokens').description('access tokens: get (client credentials), introspect');

  tokens
    .command('get')
    .description('exchange a key id and secret for an access token (the secret is asked for, or read from stdin)')
    .requiredOption('--client-id <key-id>', 'the API key id')
    .option('--scope <scopes>', 'space-separated subset of the key’s scopes')
    .option('--secret-only', 'print only the access token, for $(…)')
    .action(
      withClient<{ clientId: string; scope?: string; secretOnly?: boolean }>(async ({ client, output, options }) => {
        const clientSecret = await readHidden('Key secret: ');
        const token = await client.tokens.clientCredentials({ clientId: options.clientId, clientSecret, scope: options.scope });
        showSecret(
          output,
          token,
          token.accessToken,
          options.secretOnly === true,
          (t) =>
            `${details(output, [
              ['scope', t.scope],
              ['expires', relativeTime(new Date(t.expiresAt).toISOString())],
            ])}\n\n${t.accessToken}`,
        );
      }),
    );

  tokens
    .command('introspect [token]')
    .description('ask the server whether an access token is active (token read from stdin when left out)')
    .action(
      withClient(async ({ client, output }, token) => {
        const answer = await client.tokens.introspect(token ?? (await readHidden('Access token: ')));
        show(output, answer, (a) =>
          details(
            output,
            Object.entries(a).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : (v as string)]),
          ),
        );
      }),
    );
}
