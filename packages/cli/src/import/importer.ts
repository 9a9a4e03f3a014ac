import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { InvalidRequestError, type ImportKeyParams, type Keymint } from '@keymint/sdk';
import type { Output } from '../output.js';
import { itemOf, type Mapping } from './mappings.js';
import { readRecords } from './records.js';

/** Most items per request (the API's bound) and most bytes, far under the server's import body limit. */
const BATCH_ITEMS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;

/** What an import did: counts, and the line and reason of every failure. */
export interface ImportSummary {
  imported: number;
  skipped: number;
  failed: { line: number; reason: string }[];
}

/** The state file beside the input: the last line whose batch the server committed, and the counts so far. */
interface ImportState extends ImportSummary {
  line: number;
}

export const stateFileOf = (file: string) => `${file}.keymint-import-state`;

/** `[=====     ] 45% 4500/10000 1200/s ETA 5s` on a terminal's stderr, redrawn in place. */
function progress(output: Output, total: number, started: number) {
  if (process.stderr.isTTY !== true || output.json) return { update: () => {}, done: () => {} };
  return {
    update(done: number) {
      const seconds = (Date.now() - started) / 1000;
      const rate = done / Math.max(seconds, 0.001);
      const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
      const width = 30;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      process.stderr.write(
        `\r[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor((done / Math.max(total, 1)) * 100)}% ${done}/${total} ${Math.round(rate)}/s ETA ${eta}s`,
      );
    },
    done: () => process.stderr.write('\n'),
  };
}

/** The item indexes a 400 names (`keys.3.hash.encoding`), with their messages. */
function refusedItems(error: InvalidRequestError): Map<number, string> {
  const refused = new Map<number, string>();
  for (const detail of error.details) {
    const match = /^keys\.(\d+)(?:\.(.*))?$/.exec(detail.field);
    if (match) refused.set(Number(match[1]), `${match[2] ?? 'item'}: ${detail.message}`);
  }
  return refused;
}

/**
 * Imports `file` (CSV with a header, or JSON lines) through `keys.import`, in batches. Idempotent:
 * a key already there fails `conflict` and counts as skipped. Resumable: after each committed
 * batch the state file records its last line; a re-run after an interruption starts after it.
 * An item the server refuses (a rule, or the schema: the batch is re-sent without it) fails
 * alone, reported with its line.
 */
export async function importFile(client: Keymint, output: Output, file: string, mapping: Mapping): Promise<ImportSummary> {
  const records = readRecords(readFileSync(file, 'utf8'));
  const stateFile = stateFileOf(file);
  const state: ImportState = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : { line: 0, imported: 0, skipped: 0, failed: [] };
  if (state.line > 0) output.err(`resuming after line ${state.line} (${stateFile})`);
  const pending = records.filter((record) => record.line > state.line);
  const bar = progress(output, records.length, Date.now());
  const unknown = new Set<string>();
  let done = records.length - pending.length;

  for (let start = 0; start < pending.length;) {
    const batch: { line: number; item: ImportKeyParams }[] = [];
    let bytes = 0;
    let next = start;
    for (; next < pending.length && batch.length < BATCH_ITEMS && bytes < BATCH_BYTES; next++) {
      const record = pending[next];
      if ('error' in record) {
        state.failed.push({ line: record.line, reason: record.error });
        continue;
      }
      try {
        // The wire shape (snake_case) passes through the SDK unchanged.
        const item = itemOf(record.fields, mapping, unknown) as ImportKeyParams;
        bytes += JSON.stringify(item).length;
        batch.push({ line: record.line, item });
      } catch (error) {
        state.failed.push({ line: record.line, reason: (error as Error).message });
      }
    }
    await sendBatch(client, batch, state);
    state.line = pending[next - 1].line;
    saveState(stateFile, state);
    done += next - start;
    start = next;
    bar.update(done);
  }
  bar.done();
  if (unknown.size) output.err(`ignored columns: ${[...unknown].join(', ')} (map them with --map column=field)`);
  rmSync(stateFile, { force: true });
  state.failed.sort((a, b) => a.line - b.line);
  return { imported: state.imported, skipped: state.skipped, failed: state.failed };
}

/** Written beside and renamed over, so a kill mid-write leaves the previous state, never a truncated one. */
function saveState(stateFile: string, state: ImportState): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(state));
  renameSync(`${stateFile}.tmp`, stateFile);
}

async function sendBatch(client: Keymint, batch: { line: number; item: ImportKeyParams }[], state: ImportState): Promise<void> {
  let rest = batch;
  while (rest.length) {
    try {
      const answer = await client.keys.import(rest.map((entry) => entry.item));
      state.imported += answer.imported.length;
      for (const { index, error } of answer.failed) {
        if (error.code === 'conflict') state.skipped++;
        else state.failed.push({ line: rest[index].line, reason: `${error.code}: ${error.message}` });
      }
      return;
    } catch (error) {
      const refused = error instanceof InvalidRequestError ? refusedItems(error) : new Map<number, string>();
      if (refused.size === 0) throw error;
      for (const [index, reason] of refused) state.failed.push({ line: rest[index].line, reason: `invalid_request: ${reason}` });
      rest = rest.filter((_, index) => !refused.has(index));
    }
  }
}
