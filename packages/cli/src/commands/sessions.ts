import type { CreateSessionParams } from '@keymint/sdk';
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { withClient } from '../context.js';
import { details, relativeTime, show, showSecret } from '../output.js';
import { integer } from '../parse.js';

type Membership = NonNullable<CreateSessionParams['organizations']>[number];

/** `--org org_1:admin` (role `member` when left out). */
function membership(raw: string, previous: Membership[] = []): Membership[] {
  const [id, role = 'member', extra] = raw.split(':');
  if (!id || extra !== undefined || (role !== 'admin' && role !== 'member')) throw new InvalidArgumentError('expected ORG_ID or ORG_ID:admin or ORG_ID:member');
  return [...previous, { id, role }];
}

/** `keymint sessions …`: end-user sessions for the browser flow. */
export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('end-user sessions: create, revoke');

  sessions
    .command('create')
    .description('mint a session token for one end user (printed this once)')
    .requiredOption('--user <id>', 'the end user')
    .option('--org <id[:role]>', 'an organization the user belongs to, role admin or member (repeat)', membership)
    .option('--expires-in <seconds>', 'lifetime, 60 to 86400 (default 3600)', integer(60, 86_400))
    .option('--secret-only', 'print only the token, for $(…)')
    .action(
      withClient<{ user: string; org?: Membership[]; expiresIn?: number; secretOnly?: boolean }>(async ({ client, output, options }) => {
        const session = await client.sessions.create({ userId: options.user, organizations: options.org, expiresInSeconds: options.expiresIn });
        showSecret(
          output,
          session,
          session.token,
          options.secretOnly === true,
          (s) =>
            `${details(output, [
              ['id', s.id],
              ['expires', relativeTime(s.expiresAt)],
            ])}\n\n${s.token}`,
        );
      }),
    );

  sessions
    .command('revoke [id]')
    .description('end one session by id, or every session of --user')
    .option('--user <id>', 'end all of this user’s sessions')
    .action(
      withClient<{ user?: string }>(async ({ client, output, options }, id) => {
        if ((id === undefined) === (options.user === undefined)) throw new UsageError('sessions revoke: give a session id or --user, not both');
        if (options.user !== undefined) {
          show(output, await client.sessions.revokeForUser(options.user), (r) => `revoked ${r.revoked} session(s) of ${options.user}`);
        } else {
          await client.sessions.delete(id);
          show(output, { id, revoked: true }, () => `revoked ${id}`);
        }
      }),
    );
}
