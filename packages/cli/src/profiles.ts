import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where a saved connection points, and the credential it uses. */
export interface Profile {
  url: string;
  token: string;
}

/** `$XDG_CONFIG_HOME/keymint/profiles.json` (default `~/.config/keymint/profiles.json`). */
export function profilesPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'keymint', 'profiles.json');
}

/** Every saved profile by name; none when the file does not exist yet. */
export function readProfiles(env: NodeJS.ProcessEnv = process.env): Record<string, Profile> {
  let text: string;
  try {
    text = readFileSync(profilesPath(env), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = JSON.parse(text) as { profiles?: Record<string, Profile> };
  return parsed.profiles ?? {};
}

/** Saves `profile` under `name`; the file holds credentials, so it is the user's alone (0600, in a 0700 directory). */
export function saveProfile(name: string, profile: Profile, env: NodeJS.ProcessEnv = process.env): string {
  const path = profilesPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const profiles = { ...readProfiles(env), [name]: profile };
  writeFileSync(path, `${JSON.stringify({ profiles }, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only to a new file: an older, wider one is narrowed too.
  chmodSync(path, 0o600);
  return path;
}
