import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { CLI_MAIN } from './testing/cli-process.js';

vi.setConfig({ testTimeout: 60_000 });
const run = promisify(execFile);

/** What bash offers after `words` (the last one being typed), with the script `keymint completion bash` prints loaded. */
async function complete(...words: string[]): Promise<string[]> {
  const script = `source <(${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_MAIN)} completion bash)
COMP_WORDS=(keymint ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _keymint; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['-c', script]);
  return stdout.split('\n').filter(Boolean);
}

/**
 * What zsh's bashcompinit hands to completion after `words` (zsh, not the script, then filters by
 * the word being typed): the script `keymint completion zsh` prints, loaded in a real zsh.
 */
async function zshCandidates(...words: string[]): Promise<string[]> {
  const script = `autoload -U compinit && compinit -u
source <(${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_MAIN)} completion zsh)
COMP_WORDS=(keymint ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _keymint; print -l -- "\${COMPREPLY[@]}"`;
  const { stdout } = await run('zsh', ['-f', '-c', script]);
  return stdout.split('\n').filter(Boolean);
}

const zshMissing = spawnSync('zsh', ['-c', 'true']).error !== undefined;

describe('keymint completion bash', () => {
  it('completes commands, subcommands and the flags of the command typed so far', async () => {
    expect(await complete('')).toEqual(expect.arrayContaining(['serve', 'keys', 'root-keys', 'doctor', '--url', '--json']));
    expect(await complete('ro')).toEqual(['root-keys']);
    expect(await complete('keys', 're')).toEqual(['revoke']);
    expect(await complete('--json', 'keys', 'list', '--org', 'org_1', '--page')).toEqual(['--page', '--page-size']);
    expect(await complete('serve', '--redis')).toEqual(['--redis-url']);
  });

  it('knows the metering, usage and webhook commands and their flags', async () => {
    expect(await complete('')).toEqual(expect.arrayContaining(['orgs', 'usage', 'webhooks']));
    expect(await complete('keys', 'cr')).toEqual(['create', 'credits']);
    expect(await complete('orgs', 'limits', 's')).toEqual(['set']);
    expect(await complete('orgs', 'limits', 'set', 'org_1', '--r')).toEqual(['--rate-limit', '--refill']);
    expect(await complete('usage', '--g')).toEqual(['--granularity', '--group-by']);
    expect(await complete('webhooks', 'r')).toEqual(['rotate-secret', 'retry']);
  });

  // CI installs zsh (.ci/run); elsewhere the test is skipped when zsh is missing.
  it.skipIf(zshMissing && process.env.CI !== 'true')('completes in zsh (bashcompinit) from the same command tree', async () => {
    expect(await zshCandidates('')).toEqual(expect.arrayContaining(['serve', 'keys', 'orgs', '--url']));
    expect(await zshCandidates('keys', 're')).toEqual(expect.arrayContaining(['revoke', 'rotate', 'bulk-revoke', 'credits']));
    expect(await zshCandidates('keys', 're')).not.toContain('serve');
    expect(await zshCandidates('--json', 'orgs', 'limits', 'set', 'org_1', '--r')).toEqual(expect.arrayContaining(['--rate-limit', '--refill']));
  });

  it('an unknown shell is a usage error', async () => {
    await expect(run(process.execPath, [CLI_MAIN, 'completion', 'fish'])).rejects.toMatchObject({ code: 2 });
  });
});
