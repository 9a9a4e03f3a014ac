import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_OPTIONS } from './config-options.js';

const configSource = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');

describe('CONFIG_OPTIONS, the public list of KEYMINT_* variables', () => {
  it('names exactly the variables config.ts reads, each once, with distinct flags', () => {
    const read = new Set(configSource.match(/\bKEYMINT_[A-Z_]+\b(?!\*)/g));
    expect(CONFIG_OPTIONS.map((o) => o.env).sort()).toEqual([...read].sort());
    expect(new Set(CONFIG_OPTIONS.map((o) => o.flag)).size).toBe(CONFIG_OPTIONS.length);
  });

  it('flags are the variable names in kebab case, so a flag is never a surprise', () => {
    for (const option of CONFIG_OPTIONS) expect(option.flag).toBe(option.env.slice('KEYMINT_'.length).toLowerCase().replaceAll('_', '-'));
  });
});
