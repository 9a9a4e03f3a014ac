import { Command } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerBulk } from './commands/bulk.js';
import { registerKeyCredits } from './commands/credits.js';
import { registerCompletion } from './commands/completion.js';
import { registerDoctor } from './commands/doctor.js';
import { registerKeys } from './commands/keys.js';
import { registerLogin } from './commands/login.js';
import { registerRootKeys } from './commands/root-keys.js';
import { registerServe } from './commands/serve.js';
import { registerSessions } from './commands/sessions.js';
import { registerSigningKeys } from './commands/signing-keys.js';
import { registerTokens } from './commands/tokens.js';
import { registerUsage } from './commands/usage.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerOrgs } from './commands/orgs.js';
import { CLI_VERSION } from './version.js';

/** The whole command tree. `exitOverride` is set first so every subcommand throws instead of exiting. */
export function buildProgram(): Command {
  const program = new Command('keymint')
    .description('Keymint, the self-hostable API key service: run the server, manage keys from a terminal')
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .option('--url <url>', 'server URL [KEYMINT_URL] (default http://127.0.0.1:8080)')
    .option('--token <token>', 'credential: root key, session or access token [KEYMINT_TOKEN]')
    .option('--profile <name>', 'saved connection to use (keymint login) [KEYMINT_PROFILE]')
    .option('--json', 'print JSON (the SDK’s camelCase objects) instead of tables');
  registerServe(program);
  registerLogin(program);
  registerKeys(program);
  registerBulk(program);
  registerKeyCredits(program);
  registerOrgs(program);
  registerUsage(program);
  registerWebhooks(program);
  registerRootKeys(program);
  registerSessions(program);
  registerTokens(program);
  registerSigningKeys(program);
  registerAudit(program);
  registerDoctor(program);
  registerCompletion(program);
  return program;
}
