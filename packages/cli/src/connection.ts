import { Keymint } from '@keymint/sdk';
import { UsageError } from './cli-error.js';
import { readProfiles } from './profiles.js';

/** The options every command that talks to a server takes (`keymint --url … keys list`). */
export interface GlobalOptions {
  url?: string;
  token?: string;
  profile?: string;
  json?: boolean;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_PROFILE = 'default';

/**
 * Where to connect and with which credential: `--url`/`--token` first, then `KEYMINT_URL`/
 * `KEYMINT_TOKEN`, then the profile `keymint login` saved (`--profile`, `KEYMINT_PROFILE`, default `default`).
 */
export function resolveConnection(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): { url: string; token: string | undefined } {
  const name = options.profile ?? env.KEYMINT_PROFILE ?? DEFAULT_PROFILE;
  const profile = readProfiles(env)[name];
  if (options.profile !== undefined && profile === undefined)
    throw new UsageError(`no profile named ${JSON.stringify(name)}: run keymint login --profile ${name}`);
  const url = options.url ?? env.KEYMINT_URL ?? profile?.url ?? DEFAULT_URL;
  if (!/^https?:\/\/.+/.test(url)) throw new UsageError(`--url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  return { url, token: options.token ?? env.KEYMINT_TOKEN ?? profile?.token };
}

/** An SDK client for the resolved connection; refuses (usage error) when there is no credential. */
export function connect(options: GlobalOptions): Keymint {
  const { url, token } = resolveConnection(options);
  if (!token) throw new UsageError('no credential: pass --token, set KEYMINT_TOKEN, or run keymint login');
  return new Keymint({ baseUrl: url, token });
}
