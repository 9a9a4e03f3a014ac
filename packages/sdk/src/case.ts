/**
 * The one place where the SDK's camelCase meets the wire's snake_case. Keys are mapped deeply,
 * except inside `metadata`, which is the application's own data and goes through untouched.
 */

/** Object keys whose contents are the caller's own data: never renamed. */
const OPAQUE_KEYS = new Set(['metadata']);

/** Only lower-case snake_case names are wire field names; `NOT_FOUND`-style keys are data. */
const SNAKE = /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/;
const CAMEL = /^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$/;

/** `organization_id` → `organizationId`. */
export const toCamelName = (name: string): string => (SNAKE.test(name) ? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : name);

/** `organizationId` → `organization_id`. */
export const toSnakeName = (name: string): string => (CAMEL.test(name) ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name);

function mapKeys(value: unknown, rename: (name: string) => string): unknown {
  if (Array.isArray(value)) return value.map((item) => mapKeys(item, rename));
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    const mapped = rename(name);
    out[mapped] = OPAQUE_KEYS.has(mapped) ? inner : mapKeys(inner, rename);
  }
  return out;
}

/** Wire → SDK: every snake_case key becomes camelCase, deeply (metadata excepted). */
export const toCamel = (value: unknown): unknown => mapKeys(value, toCamelName);

/** SDK → wire: every camelCase key becomes snake_case, deeply (metadata excepted). */
export const toSnake = (value: unknown): unknown => mapKeys(value, toSnakeName);

type CamelName<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelName<Tail>>}` : S;

/** Type of `toCamel(x)` for a wire type `T`: the SDK's view of a contract type. */
export type Camelize<T> = T extends readonly (infer U)[]
  ? Camelize<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? (K extends Lowercase<K> ? CamelName<K> : K) : K]: K extends 'metadata' ? T[K] : Camelize<T[K]> }
    : T;
