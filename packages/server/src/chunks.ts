/** `items` in runs of `size` (the last one shorter), for statements that take a bounded number of rows or keys. */
export function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
