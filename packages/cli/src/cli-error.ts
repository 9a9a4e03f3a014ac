import { KeymintError } from '@keymint/sdk';

/** Exit codes: 0 done, 1 the server (or the network) refused, 2 the command line was wrong. */
export const EXIT = { ok: 0, api: 1, usage: 2 } as const;

/** A mistake in how the command was called: its message is printed and the exit code is 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What to print on stderr for a failure, and the exit code it ends with. */
export function describeFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) return { message: `keymint: ${error.message}`, exitCode: EXIT.usage };
  if (error instanceof KeymintError) {
    const details = error.details.map((d) => `\n  ${JSON.stringify(d)}`).join('');
    const requestId = error.requestId ? ` (request id ${error.requestId})` : '';
    return { message: `keymint: ${error.status} ${error.code}: ${error.message}${requestId}${details}`, exitCode: EXIT.api };
  }
  return { message: `keymint: ${error instanceof Error ? error.message : String(error)}`, exitCode: EXIT.api };
}
