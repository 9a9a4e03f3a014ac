/** How a command prints: human tables by default, JSON for scripts, colour only on a terminal. */
export interface Output {
  json: boolean;
  colour: boolean;
  /** The answer itself (stdout). */
  out(text: string): void;
  /** Warnings and progress (stderr), so `$(keymint …)` captures only the answer. */
  err(text: string): void;
}

/** Colour on a TTY only, and never when `NO_COLOR` is set to anything (https://no-color.org). */
export function createOutput(json: boolean, env: NodeJS.ProcessEnv = process.env): Output {
  return {
    json,
    colour: process.stdout.isTTY === true && !env.NO_COLOR,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

const paint = (output: Output, code: number, text: string) => (output.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
export const bold = (output: Output, text: string) => paint(output, 1, text);
export const dim = (output: Output, text: string) => paint(output, 2, text);
export const yellow = (output: Output, text: string) => paint(output, 33, text);

const UNITS: [string, number][] = [
  ['y', 365 * 24 * 3600],
  ['mo', 30 * 24 * 3600],
  ['d', 24 * 3600],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
];

/** `3h ago`, `in 2d`, `just now`; `-` for no time. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 5) return 'just now';
  const [unit, size] = UNITS.find(([, s]) => magnitude >= s) ?? UNITS[UNITS.length - 1];
  const amount = `${Math.floor(magnitude / size)}${unit}`;
  return seconds < 0 ? `${amount} ago` : `in ${amount}`;
}

/** Columns padded to their widest cell, a bold header; `-` for empty cells. */
export function table(output: Output, headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))));
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  return [bold(output, line(headers)), ...cells.map(line)].join('\n');
}

/** Label / value lines for one record. */
export function details(output: Output, fields: [string, string | number | null | undefined][]): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields
    .map(([label, value]) => `${dim(output, label.padEnd(width))}  ${value === null || value === undefined || value === '' ? '-' : value}`)
    .join('\n');
}

/** Prints the answer: as JSON, or as the human text `human` makes. */
export function show<T>(output: Output, value: T, human: (value: T) => string): void {
  output.out(output.json ? JSON.stringify(value, null, 2) : human(value));
}

/**
 * A secret shown once: with `secretOnly`, the bare secret alone on stdout (for `$(…)`); else the
 * record (human or JSON) on stdout; in both, the warning that it will not be shown again on stderr.
 */
export function showSecret<T>(output: Output, value: T, secret: string, secretOnly: boolean, human: (value: T) => string): void {
  output.err(yellow(output, 'Store this secret now: it will not be shown again.'));
  if (secretOnly) output.out(secret);
  else show(output, value, human);
}
