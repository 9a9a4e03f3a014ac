import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
const importsOf = (source: string) =>
  [...source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);

describe('the built package (npm test builds it first)', () => {
  const js = existsSync(DIST) ? files(DIST).filter((f) => f.endsWith('.js')) : [];

  it('imports nothing at run time but its own files: no @keymint/api, no node:, no framework', () => {
    expect(js.length).toBeGreaterThan(10);
    let imports = 0;
    for (const file of js) {
      for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
        imports++;
        expect(`${file}: ${specifier}`).toMatch(/: \.\.?\//);
      }
    }
    expect(imports).toBeGreaterThan(20);
  });

  it('exports every subpath it declares', async () => {
    const manifest = JSON.parse(readFileSync(join(DIST, '../package.json'), 'utf8')) as { exports: Record<string, { default: string; types: string }> };
    for (const entry of Object.values(manifest.exports)) {
      expect(existsSync(join(DIST, '..', entry.default))).toBe(true);
      expect(existsSync(join(DIST, '..', entry.types))).toBe(true);
    }
    const sdk = await import(join(DIST, 'index.js'));
    expect(Object.keys(sdk)).toEqual(expect.arrayContaining(['Keymint', 'KeymintCore', 'keysCreate', 'keysListAll', 'NotFoundError', 'usageGet']));
    expect(Object.keys(sdk)).not.toContain('toCamel');
  });
});
