import { expect } from 'vitest';
import { KeymintError } from '../errors.js';

/** The `KeymintError` a throwing SDK call rejected with (the test fails if it resolved or threw another thing). */
export async function failure(promise: Promise<unknown>): Promise<KeymintError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeymintError);
  return error as KeymintError;
}
