import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_OPTIONS } from '@keymint/server/config-options';
import { Option, type Command } from 'commander';

/** The `keymint-server` executable of the installed `@keymint/server` (its public bin, already built JavaScript). */
function serverBin(): string {
  const manifest = createRequire(import.meta.url).resolve('@keymint/server/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin['keymint-server']);
}

/**
 * `keymint serve`: runs the server in this process. Each flag sets its KEYMINT_* variable (a flag
 * wins over the environment); the server reads, checks and reports them as it always does.
 */
export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the Keymint server (SQLite ./keymint.db unless told otherwise)')
    .addHelpText('after', '\nEvery flag can also be given as the environment variable in brackets.');
  const options = CONFIG_OPTIONS.map((config) => {
    const option = new Option(`--${config.flag} <${config.value}>`, `${config.description} [${config.env}]`);
    serve.addOption(option);
    return { config, option };
  });
  serve.action(async (given: Record<string, string | undefined>) => {
    for (const { config, option } of options) {
      const value = given[option.attributeName()];
      if (value !== undefined) process.env[config.env] = value;
    }
    await import(pathToFileURL(serverBin()).href);
  });
}
