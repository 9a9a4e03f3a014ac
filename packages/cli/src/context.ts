import type { Keymint } from '@keymint/sdk';
import type { Command } from 'commander';
import { connect, type GlobalOptions } from './connection.js';
import { createOutput, type Output } from './output.js';

/** What a command's action works with: the client, how to print, its own and the global options. */
export interface Context<O> {
  client: Keymint;
  output: Output;
  options: O & GlobalOptions;
}

/**
 * Adapts `run` to commander's action signature (positional arguments, then options, then the
 * command): connects with the global options and hands the positional arguments over as strings.
 */
export function withClient<O = Record<string, unknown>>(run: (context: Context<O>, ...args: string[]) => Promise<void>) {
  return async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const options = command.optsWithGlobals<O & GlobalOptions>();
    const args = received.slice(0, -2) as string[];
    await run({ client: connect(options), output: createOutput(options.json === true), options }, ...args);
  };
}
