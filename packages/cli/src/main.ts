#!/usr/bin/env node
import { CommanderError } from 'commander';
import { describeFailure, EXIT } from './cli-error.js';
import { buildProgram } from './program.js';

/** Help and version end with 0; every other commander refusal is a usage error (2); API failures 1. */
function exitCodeOf(error: CommanderError): number {
  return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
}

// A closed pipe (`keymint … | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = exitCodeOf(error);
  } else {
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = exitCode;
  }
}
