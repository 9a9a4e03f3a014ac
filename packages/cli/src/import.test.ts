import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLI_MAIN, cleanEnv, ROOT_KEY, runCli, serve, type Served } from './testing/cli-process.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 90_000 });

let server: Served;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'keymint-import-'));
beforeAll(async () => {
  server = await serve();
  env = cleanEnv({ KEYMINT_URL: server.url, KEYMINT_TOKEN: ROOT_KEY });
});
afterAll(() => server?.stop());

const secretOf = (i: number) => `legacy_${i}_${randomBytes(18).toString('base64url')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const json = async (args: string[], runEnv = env) => {
  const run = await runCli([...args, '--json'], runEnv);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
};
const verifyCode = async (secret: string, runEnv = env) => (await json(['keys', 'verify', secret], runEnv)).code;
const total = async (org: string, runEnv = env) => (await json(['keys', 'list', '--org', org, '--page-size', '1'], runEnv)).totalCount;

describe('keymint import', () => {
  const file = join(dir, 'homemade.csv');
  const secrets: string[] = [];
  // Data lines start at file line 2 (line 1 is the header).
  const bad = new Map<number, RegExp>([
    [101, /hash\.value/],
    [2500, /created_at/],
    [7777, /scopes/],
  ]);
  const duplicateLine = 9000;

  beforeAll(() => {
    const lines = ['key_hash,name,owner,org,scopes,created_at'];
    for (let line = 2; line <= 10_001; line++) {
      const secret = secretOf(line);
      secrets[line] = secret;
      let hash = sha256(secret);
      let scopes = 'read write';
      let created = '2024-01-01T00:00:00Z';
      if (line === 101) hash = 'not-hex';
      if (line === 2500) created = '2999-01-01T00:00:00Z';
      if (line === 7777) scopes = 'x'.repeat(101);
      if (line === duplicateLine) hash = sha256(secrets[50]);
      lines.push(`${hash},"Key, number ${line}",user_${line % 13},org_csv,${scopes},${created}`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
  });

  it('imports a 10,000-line CSV with the homemade mapping, reporting each bad line by number; imported digests verify', async () => {
    const run = await runCli(['import', file, '--mapping', 'homemade', '--json'], env);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.imported).toBe(10_000 - bad.size - 1);
    expect(summary.skipped).toBe(1);
    expect(summary.failed.map((f: { line: number }) => f.line)).toEqual([...bad.keys()]);
    for (const failure of summary.failed) expect(failure.reason).toMatch(bad.get(failure.line)!);
    expect(await total('org_csv')).toBe(10_000 - bad.size - 1);
    expect(await verifyCode(secrets[2])).toBe('VALID');
    expect(await verifyCode(secrets[10_001])).toBe('VALID');
    expect(await verifyCode(secrets[101])).toBe('NOT_FOUND');
    const key = (await json(['keys', 'verify', secrets[3]])).key;
    expect(key).toMatchObject({
      name: 'Key, number 3',
      userId: 'user_3',
      organizationId: 'org_csv',
      scopes: ['read', 'write'],
      createdAt: '2024-01-01T00:00:00.000Z',
    });
    expect(existsSync(`${file}.keymint-import-state`)).toBe(false);
  });

  it('re-run skips everything already there, and names the same failures', async () => {
    const run = await runCli(['import', file, '--mapping', 'homemade'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^imported 0, skipped 9997 \(already there\), failed 3$/m);
    expect(run.stdout).toMatch(/^ {2}line 101: invalid_request: hash\.value/m);
    expect(await total('org_csv')).toBe(9996);
  });

  it('resumes after the import is killed mid-way, with exact totals', async () => {
    const jsonl = join(dir, 'resume.jsonl');
    const items = Array.from({ length: 8000 }, (_, i) => ({ name: `resume ${i}`, organization_id: 'org_resume', secret: secretOf(i) }));
    writeFileSync(jsonl, items.map((item) => JSON.stringify(item)).join('\n'));
    const child = spawn(process.execPath, [CLI_MAIN, 'import', jsonl], { env, stdio: 'ignore' });
    const state = `${jsonl}.keymint-import-state`;
    while (!existsSync(state) && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const committed = JSON.parse(readFileSync(state, 'utf8'));
    expect(committed.line).toBeGreaterThan(0);
    expect(committed.line).toBeLessThan(8000);

    const resumed = await runCli(['import', jsonl, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming after line \d+/);
    const summary = JSON.parse(resumed.stdout);
    expect(summary.failed).toEqual([]);
    // A batch the server committed just before the kill comes back as skipped.
    expect(summary.imported + summary.skipped).toBe(8000);
    expect(await total('org_resume')).toBe(8000);
    expect(await verifyCode(items[7999].secret)).toBe('VALID');
  });

  it('shows a progress bar with rate and ETA on a terminal only', async () => {
    const small = join(dir, 'small.csv');
    writeFileSync(small, `name,secret,organization_id\n${Array.from({ length: 20 }, (_, i) => `tty ${i},${secretOf(i)},org_tty`).join('\n')}\n`);
    const command = `${process.execPath} ${CLI_MAIN} import ${small}`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8' });
    expect(tty.stdout).toMatch(/\[=+\] 100% 20\/20 \d+\/s ETA 0s/);
    expect(tty.stdout).toMatch(/imported 20, skipped 0/);
    const piped = await runCli(['import', small], env);
    expect(piped.stderr).not.toMatch(/ETA/);
    expect(piped.stdout).toMatch(/imported 0, skipped 20/);
  });
});

describe('keymint keys bulk-revoke', () => {
  it('counts on --dry-run, then revokes: the keys verify REVOKED', async () => {
    const created = [];
    for (const name of ['ci one', 'ci two', 'web']) created.push(await json(['keys', 'create', '--name', name, '--org', 'org_bulk_cli']));
    expect(await json(['keys', 'bulk-revoke', '--org', 'org_bulk_cli', '--query', 'ci', '--dry-run'])).toEqual({ matched: 2, revoked: 0 });
    expect(await verifyCode(created[0].secret)).toBe('VALID');
    expect(await json(['keys', 'bulk-revoke', '--org', 'org_bulk_cli', '--query', 'ci', '--reason', 'rebuilt'])).toEqual({ matched: 2, revoked: 2 });
    expect(await verifyCode(created[0].secret)).toBe('REVOKED');
    expect(await verifyCode(created[2].secret)).toBe('VALID');
    const ids = join(dir, 'ids.txt');
    writeFileSync(ids, `${created[2].id}\n${created[0].id}\n`);
    const run = await runCli(['keys', 'bulk-revoke', '--ids-from', ids], env);
    expect(run.stdout).toMatch(/revoked 1 of 1 matched keys/);
    expect(await verifyCode(created[2].secret)).toBe('REVOKED');
    expect((await runCli(['keys', 'bulk-revoke'], env)).code).toBe(2);
  });
});

describe('keymint export, backup, migrate', () => {
  let second: Served | undefined;
  afterAll(() => second?.stop());

  it('export prints JSON lines without secrets that another server imports and verifies', async () => {
    const key = await json(['keys', 'create', '--name', 'moving', '--org', 'org_move', '--scope', 'read']);
    const run = await runCli(['export', '--org', 'org_move'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(key.secret);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        name: 'moving',
        organization_id: 'org_move',
        scopes: ['read'],
        hash: { algorithm: 'sha256', encoding: 'hex', value: sha256(key.secret) },
      }),
    ]);
    const file = join(dir, 'export.jsonl');
    writeFileSync(file, run.stdout);
    second = await serve();
    const secondEnv = cleanEnv({ KEYMINT_URL: second.url, KEYMINT_TOKEN: ROOT_KEY });
    expect(await json(['import', file], secondEnv)).toEqual({ imported: 1, skipped: 0, failed: [] });
    expect(await verifyCode(key.secret, secondEnv)).toBe('VALID');
  });

  it('backup copies the live server’s SQLite store, keys included', async () => {
    const key = await json(['keys', 'create', '--name', 'backed up', '--org', 'org_backup']);
    const copy = join(dir, 'backup.db');
    const run = await runCli(['backup', copy, '--database', join(server.dir, 'keymint.db')], cleanEnv());
    expect(run.code, run.stderr).toBe(0);
    const database = new Sqlite(copy, { readonly: true });
    try {
      expect(database.prepare('select name from api_keys where id = ?').get(key.id)).toEqual({ name: 'backed up' });
      expect((database.prepare('select count(*) as n from api_keys').get() as { n: number }).n).toBeGreaterThan(10_000);
    } finally {
      database.close();
    }
  });

  it('migrate creates the schema on a fresh path without serving', async () => {
    const fresh = join(dir, 'fresh.db');
    const run = await runCli(['migrate', '--database', fresh], cleanEnv());
    expect(run.code, run.stderr).toBe(0);
    const database = new Sqlite(fresh, { readonly: true });
    try {
      const tables = database
        .prepare("select name from sqlite_master where type = 'table'")
        .all()
        .map((row) => (row as { name: string }).name);
      expect(tables).toEqual(expect.arrayContaining(['api_keys', 'key_secrets', 'audit_events', 'root_keys']));
    } finally {
      database.close();
    }
  });
});
