import type { ApiKey } from '@keymint/sdk';
import type { Command } from 'commander';
import { withClient } from '../context.js';
import { addCreditsChangeOptions, creditsChange, creditsDetails, type CreditsChangeOptions } from '../metering.js';
import { details, show, type Output } from '../output.js';

const keyCredits = (output: Output, key: ApiKey) => `${details(output, [['id', key.id]])}\n${creditsDetails(output, key.credits)}`;

/** `keymint keys credits KEY_ID --set|--increment|--decrement N`: one atomic change of a key's balance. */
export function registerKeyCredits(program: Command): void {
  const keys = program.commands.find((command) => command.name() === 'keys')!;
  addCreditsChangeOptions(keys.command('credits <id>').description('set, increase or decrease a key’s credits (atomic; decrement stops at 0)')).action(
    withClient<CreditsChangeOptions>(async ({ client, output, options }, id) => {
      show(output, await client.keys.credits(id, creditsChange(options, 'keys credits')), (key) => keyCredits(output, key));
    }),
  );
}
