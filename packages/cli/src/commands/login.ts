import { Keymint, KeymintError } from '@keymint/sdk';
import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { DEFAULT_PROFILE, resolveConnection, type GlobalOptions } from '../connection.js';
import { createOutput } from '../output.js';
import { saveProfile } from '../profiles.js';
import { readHidden } from '../prompt.js';

/** `keymint login`: checks a credential against the server and saves it as a named profile. */
export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('save a server URL and credential as a profile (--profile, default "default"); the token is asked for without echo, or read from stdin')
    .action(async (_options: unknown, command: Command) => {
      const options = command.optsWithGlobals<GlobalOptions>();
      const output = createOutput(options.json === true);
      const name = options.profile ?? DEFAULT_PROFILE;
      const { url } = resolveConnection({ ...options, profile: undefined });
      const token = options.token ?? (await readHidden(`Token for ${url}: `));
      if (!token) throw new UsageError('login: no token given');
      try {
        // Any answer but 401 proves the server knows the credential (a narrow one may be refused listing).
        await new Keymint({ baseUrl: url, token, retries: 0 }).keys.list({ pageSize: 1 });
      } catch (error) {
        if (!(error instanceof KeymintError) || error.status === 401) throw error;
      }
      const path = saveProfile(name, { url, token });
      output.err(`saved profile ${name} (${url}) in ${path}`);
      if (output.json) output.out(JSON.stringify({ profile: name, url, path }));
    });
}
