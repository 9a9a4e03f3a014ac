import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** RFC 3339 UTC timestamp, as every time field of the contract is written. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-01-01T00:00:00.000Z'] });

/**
 * The last instant RFC 3339 can write: its years have four digits (later ones would be written
 * `+010000-…`, which no RFC 3339 parser reads).
 */
export const LAST_TIMESTAMP = '9999-12-31T23:59:59.999Z';

/**
 * A time a client asks for (an expiry): RFC 3339, any offset, no later than `LAST_TIMESTAMP` once in UTC.
 * No `examples`: linters cannot check one against `formatMaximum` (an ajv-formats keyword).
 */
export const RequestedTimestamp = Type.String({
  format: 'date-time',
  formatMaximum: LAST_TIMESTAMP,
  description: `RFC 3339; at most ${LAST_TIMESTAMP}.`,
});

/**
 * A value that may be absent from the answer's meaning but is always present as `null`. Written
 * as one type list (`type: ['string', 'null']`, OpenAPI 3.1) rather than `anyOf`: the response
 * serializer then checks a type instead of running a validator on every nullable field of every
 * answer (twice as fast for a key), and request validation means the same.
 */
export const Nullable = <T extends TSchema & { type: string }>(schema: T) => Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

/**
 * Options of an object schema whose fields `a` and `b` exclude each other: a body gives at most
 * one of them (a `null` one counts as not given). Written as JSON Schema's `not` so the document
 * states the rule; the server answers it naming `b`.
 */
export const exclusive = (a: string, b: string) => ({
  not: { required: [a, b], properties: { [a]: { not: { type: 'null' } }, [b]: { not: { type: 'null' } } } },
});

/** `field` is given, and not `null`. */
const given = (field: string) => ({ required: [field], properties: { [field]: { not: { type: 'null' } } } });

/**
 * Options of an object schema whose fields `a` and `b` come together: both given or neither (a
 * `null` one counts as not given). Written as JSON Schema's `if`/`then` so the document states
 * the rule; the server answers it naming the object.
 */
export const together = (a: string, b: string) => ({ if: { anyOf: [given(a), given(b)] }, then: { allOf: [given(a), given(b)] } });

/** The application's own identifiers (organization, user): opaque, bounded. */
export const ExternalId = Type.String({ minLength: 1, maxLength: 128 });

/** 1-based page number of every paginated list. */
export const Page = Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 });

/** Page size of every paginated list. */
export const PageSize = Type.Integer({ minimum: 1, maximum: 500, default: 10 });

/** Wraps an item schema in the contract's list envelope, named after the item (`Key` → `KeyList`). */
export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object(
    {
      data: Type.Array(item),
      total_count: Type.Integer({ minimum: 0 }),
      page: Type.Integer({ minimum: 1 }),
      page_size: Type.Integer({ minimum: 1 }),
    },
    item.title === undefined ? {} : { title: `${item.title}List`, description: `One page of ${item.title} objects, newest first.` },
  );

/** Path parameter `{id}`. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;
