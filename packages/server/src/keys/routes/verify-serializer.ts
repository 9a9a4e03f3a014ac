import { VerifyKeyResult } from '@keymint/api';
import fastJson from 'fast-json-stringify';

/** The fields a verify answer is composed from; an answer with any other is serialized whole. */
const COMPOSED_FIELDS = new Set(['valid', 'code', 'key', 'rate_limits', 'credits_remaining', 'organization_credits_remaining']);

/** True when `result` has no field outside `COMPOSED_FIELDS` (a loop: no array per answer). */
function onlyComposedFields(result: object): boolean {
  for (const field in result) if (!COMPOSED_FIELDS.has(field)) return false;
  return true;
}

/** Which optional fields an answer holds beside its key, as bits: each shape is checked once against the whole serializer. */
const shapeOf = (result: VerifyKeyResult) =>
  (result.rate_limits === undefined ? 0 : 1) | (result.credits_remaining === undefined ? 0 : 2) | (result.organization_credits_remaining === undefined ? 0 : 4);

/**
 * A flat copy of `text`. fast-json-stringify builds its output by concatenation, a tree of
 * pieces (a rope) that V8 walks again each time an answer composed around it is measured and
 * written; a memoized piece is kept flat so each answer copies it once.
 */
const flat = (text: string): string => Buffer.from(text).toString();

/**
 * fast-json-stringify's serializer of `VerifyKeyResult`, with the key's JSON made once per key
 * view: verify answers the cached records' views again and again (`presentCachedKey` keeps one
 * per record until what it shows changes), and the key is most of the answer. A view is
 * memoized the second time it is answered (a view made for one answer, a spend's, is serialized
 * once, whole). The answer is composed around that JSON in the schema's order, the applied rate
 * limits by the schema's own serializer of them. The first composition of each shape (which
 * optional fields are there) is compared with the whole serializer's output, and any difference
 * (the schema changed) turns composing off for good, so the bytes are always the schema
 * serializer's.
 */
export function verifyResultSerializer(): (result: VerifyKeyResult) => string {
  const whole = fastJson(VerifyKeyResult);
  const serializeKey = fastJson(VerifyKeyResult.properties.key);
  const serializeLimits = fastJson(VerifyKeyResult.properties.rate_limits);
  const keyJson = new WeakMap<object, string>();
  const seenOnce = new WeakSet<object>();
  const checkedShapes = new Set<number>();
  let composing = true;
  const balance = (name: string, value: number | null | undefined) => (value === undefined ? '' : `,"${name}":${JSON.stringify(value)}`);
  const compose = (result: VerifyKeyResult, key: string) =>
    `{"valid":${result.valid},"code":${JSON.stringify(result.code)},"key":${key}` +
    (result.rate_limits === undefined ? '' : `,"rate_limits":${serializeLimits(result.rate_limits)}`) +
    balance('credits_remaining', result.credits_remaining) +
    balance('organization_credits_remaining', result.organization_credits_remaining) +
    '}';
  /** The whole serializer's bytes, with the composition of the same answer checked against them. */
  const checked = (result: VerifyKeyResult, key: string) => {
    const expected = whole(result);
    if (compose(result, key) !== expected) composing = false;
    else checkedShapes.add(shapeOf(result));
    return expected;
  };
  return (result) => {
    if (!composing || result.key === undefined || !onlyComposedFields(result)) return whole(result);
    const known = keyJson.get(result.key);
    if (known !== undefined) return checkedShapes.has(shapeOf(result)) ? compose(result, known) : checked(result, known);
    if (!seenOnce.has(result.key)) {
      seenOnce.add(result.key);
      return whole(result);
    }
    const json = serializeKey(result.key);
    const expected = checked(result, json);
    if (composing) keyJson.set(result.key, flat(json));
    return expected;
  };
}
