import { VerifyKeyResult } from '@keymint/api';
import fastJson from 'fast-json-stringify';

/** The fields a verify answer is composed from; an answer with any other is serialized whole. */
const COMPOSED_FIELDS = new Set(['valid', 'code', 'key', 'credits_remaining']);

/** True when `result` has no field outside `COMPOSED_FIELDS` (a loop: no array per answer). */
function onlyComposedFields(result: object): boolean {
  for (const field in result) if (!COMPOSED_FIELDS.has(field)) return false;
  return true;
}

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
 * memoized the second time it is answered (a metered answer's view, made for that answer, is
 * serialized once, whole). The answer is composed around that JSON in the schema's order; the
 * first composition for every key view is compared with the whole serializer's output, and any
 * difference (the schema changed) turns composing off for good, so the bytes are always the
 * schema serializer's.
 */
export function verifyResultSerializer(): (result: VerifyKeyResult) => string {
  const whole = fastJson(VerifyKeyResult);
  const serializeKey = fastJson(VerifyKeyResult.properties.key);
  const keyJson = new WeakMap<object, string>();
  const seenOnce = new WeakSet<object>();
  let composing = true;
  const compose = (result: VerifyKeyResult, key: string) =>
    `{"valid":${result.valid},"code":${JSON.stringify(result.code)},"key":${key}` +
    (result.credits_remaining === undefined ? '}' : `,"credits_remaining":${JSON.stringify(result.credits_remaining)}}`);
  return (result) => {
    if (!composing || result.key === undefined || !onlyComposedFields(result)) return whole(result);
    const known = keyJson.get(result.key);
    if (known !== undefined) return compose(result, known);
    if (!seenOnce.has(result.key)) {
      seenOnce.add(result.key);
      return whole(result);
    }
    const json = serializeKey(result.key);
    const expected = whole(result);
    if (compose(result, json) !== expected) composing = false;
    else keyJson.set(result.key, flat(json));
    return expected;
  };
}
