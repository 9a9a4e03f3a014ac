/** One input record: its 1-based line in the file (where it starts) and its fields by column name. */
export interface InputRecord {
  line: number;
  fields: Record<string, unknown>;
}

/** The records of a CSV text with a header line (RFC 4180 quoting; quoted fields may span lines). */
function* csvRecords(text: string): Generator<InputRecord> {
  let header: string[] | undefined;
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = function* (): Generator<InputRecord> {
    row.push(field);
    field = '';
    const cells = row;
    row = [];
    if (cells.length === 1 && cells[0] === '') return;
    if (!header) header = cells.map((cell) => cell.trim());
    else yield { line: rowLine, fields: Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])) };
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      yield* endRow();
      line++;
      rowLine = line;
    } else field += c;
  }
  if (field !== '' || row.length) yield* endRow();
}

/** The records of JSON lines: one object per non-empty line; a line that is not an object is a record that fails. */
function* jsonLines(text: string): Generator<InputRecord | { line: number; error: string }> {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    try {
      const value: unknown = JSON.parse(lines[i]);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
      yield { line: i + 1, fields: value as Record<string, unknown> };
    } catch (error) {
      yield { line: i + 1, error: `not a JSON object: ${(error as Error).message}` };
    }
  }
}

/** JSON lines when the file's first non-blank character opens an object, else CSV with a header. */
export function readRecords(text: string): (InputRecord | { line: number; error: string })[] {
  return /^\s*\{/.test(text) ? [...jsonLines(text)] : [...csvRecords(text)];
}
