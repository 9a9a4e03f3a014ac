import type { OrganizationLimitsInfo, SetOrganizationLimitsParams } from '@keymint/sdk';
import type { Command } from 'commander';
import { UsageError } from '../cli-error.js';
import { withClient } from '../context.js';
import {
  addCreditsChangeOptions,
  collectRateLimit,
  creditsChange,
  creditsDetails,
  parseRefill,
  rateLimitsTable,
  type CreditsChangeOptions,
} from '../metering.js';
import { details, show, type Output } from '../output.js';
import { integer } from '../parse.js';

const limitsDetails = (output: Output, limits: OrganizationLimitsInfo) =>
  `${details(output, [['organization', limits.organizationId]])}\n${creditsDetails(output, limits.credits)}\n\n${rateLimitsTable(output, limits.rateLimits)}`;

interface SetLimitsOptions {
  rateLimit?: SetOrganizationLimitsParams['rateLimits'];
  /** A number from `--credits N`, false from `--no-credits`. */
  credits?: number | false;
  refill?: NonNullable<NonNullable<SetOrganizationLimitsParams['credits']>['refill']>;
}

/** The PUT body: only the fields given, so the others stay as they are. */
function limitsChange(options: SetLimitsOptions): SetOrganizationLimitsParams {
  if (options.refill && typeof options.credits !== 'number') throw new UsageError('orgs limits set: --refill needs --credits N (the balance to start from)');
  const params: SetOrganizationLimitsParams = { rateLimits: options.rateLimit };
  if (options.credits === false) params.credits = null;
  else if (options.credits !== undefined) params.credits = { remaining: options.credits, refill: options.refill ?? null };
  if (params.rateLimits === undefined && params.credits === undefined)
    throw new UsageError('orgs limits set: nothing to change (give --rate-limit, --credits or --no-credits)');
  return params;
}

/** `keymint orgs …`: an organization's shared rate limits and credit pool. */
export function registerOrgs(program: Command): void {
  const orgs = program.command('orgs').description('organizations: shared rate limits and credit pool');
  const limits = orgs.command('limits').description('the rate limits and credit pool every key of an organization shares');

  limits
    .command('get <org>')
    .description('show an organization’s limits and credits')
    .action(
      withClient(async ({ client, output }, org) => {
        show(output, await client.organizations.getLimits(org), (l) => limitsDetails(output, l));
      }),
    );

  limits
    .command('set <org>')
    .description('replace the given parts of an organization’s limits; the others stay')
    .option('--rate-limit <spec>', 'name=LIMIT/WINDOW_SECONDS[:manual] (repeat; replaces all the rate limits)', collectRateLimit)
    .option('--credits <n>', 'the pool’s balance', integer(0))
    .option('--no-credits', 'remove the credit pool')
    .option('--refill <spec>', 'AMOUNT/INTERVAL[/DAY][:add]: hourly, daily, weekly or monthly (DAY of month); :add adds instead of resetting', parseRefill)
    .action(
      withClient<SetLimitsOptions>(async ({ client, output, options }, org) => {
        show(output, await client.organizations.setLimits(org, limitsChange(options)), (l) => limitsDetails(output, l));
      }),
    );

  addCreditsChangeOptions(orgs.command('credits <org>').description('set, increase or decrease an organization’s credit pool (atomic)')).action(
    withClient<CreditsChangeOptions>(async ({ client, output, options }, org) => {
      show(output, await client.organizations.credits(org, creditsChange(options, 'orgs credits')), (l) => limitsDetails(output, l));
    }),
  );
}
