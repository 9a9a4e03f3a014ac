/**
 * The API's wire names (snake_case) for an SDK object (camelCase), deeply, `metadata` untouched:
 * `keymint export` writes the import item shape of `POST /v1/keys/import`, which `keymint import`
 * and any other tool read. (The SDK keeps its own mapping internal.)
 */
export function wireShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wireShape);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, inner]) => [name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), name === 'metadata' ? inner : wireShape(inner)]),
  );
}
