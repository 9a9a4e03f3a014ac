import { Ajv, str, type ErrorObject, type FuncKeywordDefinition } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { ErrorDetail } from '@keymint/api';

// ajv-formats is CommonJS; under NodeNext its function arrives as the namespace's default.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

/** True when `value` holds objects or arrays more than `levels` deep (itself, an object or array, is level 1). */
const nestsDeeper = (value: unknown, levels: number): boolean =>
  value !== null && typeof value === 'object' && (levels === 0 || Object.values(value).some((item) => nestsDeeper(item, levels - 1)));

/**
 * `x-max-depth: n` (an OpenAPI extension, so the document states it): the value nests objects
 * and arrays at most n levels deep, itself being level 1. JSON Schema has no word for depth. The
 * JSON parser has already bounded every body's depth, so the walk is bounded too.
 */
const maxDepth: FuncKeywordDefinition = {
  keyword: 'x-max-depth',
  type: ['object', 'array'],
  schemaType: 'number',
  errors: false,
  error: { message: ({ schemaCode }) => str`must not nest objects and arrays deeper than ${schemaCode} levels` },
  compile: (levels: number) => (value: unknown) => !nestsDeeper(value, levels),
};

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    // Errors carry their schema, so a `not` names the fields it excludes (`validationDetails`).
    verbose: true,
  });
  addFormats(ajv);
  ajv.addKeyword(maxDepth);
  return ajv;
}

/** Bodies are JSON and must carry the right types; query strings and headers are text and are coerced. */
const strict = makeAjv(false);
const coercing = makeAjv(true);

/** Fastify's validator compiler: one strict Ajv for bodies, one coercing Ajv for the rest. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** The fields a failed `not: {required: [a, b]}` (`exclusive` in `@keymint/api`) says exclude each other. */
function excludedFields(error: ErrorObject): string[] | undefined {
  const required = error.keyword === 'not' ? (error.schema as { required?: unknown } | undefined)?.required : undefined;
  return Array.isArray(required) && required.length === 2 ? (required as string[]) : undefined;
}

/** The fields a failed `if`/`then` (`together` in `@keymint/api`) says come together. */
function joinedFields(error: ErrorObject): string[] | undefined {
  if (error.keyword !== 'if') return undefined;
  const branches = (error.schema as { anyOf?: { required?: string[] }[] } | undefined)?.anyOf;
  const fields = branches?.map((branch) => branch.required?.[0]);
  return fields?.length === 2 && fields.every((field) => typeof field === 'string') ? (fields as string[]) : undefined;
}

/** Names the field an Ajv error is about, as a dotted path (`metadata.x`, `scopes.0`). */
function fieldOf(error: ErrorObject, part: string): string {
  let path = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const params = error.params as Record<string, unknown>;
  const child = params.additionalProperty ?? params.missingProperty ?? excludedFields(error)?.[1];
  if (typeof child === 'string') path = path ? `${path}.${child}` : child;
  return path || part;
}

function messageOf(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return 'unknown field';
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'anyOf') return 'does not match any allowed form';
  const excluded = excludedFields(error);
  if (excluded) return `give ${excluded[0]} or ${excluded[1]}, not both`;
  const joined = joinedFields(error);
  if (joined) return `${joined[0]} and ${joined[1]} come together`;
  const { type, limit } = error.params as { type?: unknown; limit?: unknown };
  if (error.keyword === 'formatMaximum') return `must be no later than ${String(limit)}`;
  if (error.keyword === 'type' && Array.isArray(type)) return `must be ${type.join(' or ')}`;
  return error.message ?? 'is invalid';
}

/**
 * One detail per bad field, in the contract's shape: of a union's failing branches, the first
 * speaks; a `together` rule speaks for itself, not through the errors of its `then`.
 */
export function validationDetails(errors: ErrorObject[], part: string): ErrorDetail[] {
  const details = new Map<string, string>();
  const ruled = errors.filter((error) => joinedFields(error)).map((error) => error.schemaPath.replace(/\/if$/, '/then/'));
  for (const error of errors) {
    if (ruled.some((then) => error.schemaPath.startsWith(then))) continue;
    const field = fieldOf(error, part);
    if (!details.has(field)) details.set(field, messageOf(error));
  }
  return [...details].map(([field, message]) => ({ field, message }));
}
