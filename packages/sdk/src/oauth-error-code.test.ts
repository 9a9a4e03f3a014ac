import type { OAuthErrorCode as ContractCode } from '@keymint/api';
import { describe, expectTypeOf, it } from 'vitest';
import type { OAuthError, OAuthErrorCode } from './index.js';

describe('OAuthErrorCode', () => {
  it('is the closed union of @keymint/api, re-exported (not a hand-written copy that can drift)', () => {
    expectTypeOf<OAuthErrorCode>().toEqualTypeOf<ContractCode>();
    expectTypeOf<OAuthError['code']>().toEqualTypeOf<ContractCode>();
  });
});
