import { InvalidArgumentError } from 'commander';

/** Commander parser for a whole number option between `min` and `max`. */
export const integer =
  (min = 0, max = Number.MAX_SAFE_INTEGER) =>
  (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return Number(raw);
  };

/** Commander parser for a JSON object option (`--metadata '{"plan":"pro"}'`). */
export function jsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidArgumentError('expected a JSON object');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError('expected a JSON object');
  return value as Record<string, unknown>;
}

/** Commander collector for a repeatable option (`--scope a --scope b`); commas split too. */
export const collect = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];
