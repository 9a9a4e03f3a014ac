import { OAuthErrorCode } from '@keymint/api';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { ErrorStatus, type ErrorCode } from '@keymint/api';
import { failureOf, renderOAuth, type OAuthErrorAnswer, type OAuthFailure } from '../http/failure.js';
import { createTestApp, type TestApp } from '../testing/harness.js';
import type { OAuthError } from './oauth-error.js';
import { basic, createClient, postForm, type TestClient } from './token-test-kit.js';

describe('OAuth error codes', () => {
  it('are typed by the closed union of @keymint/api wherever the server makes one', () => {
    expectTypeOf<OAuthError['error']>().toEqualTypeOf<OAuthErrorCode>();
    expectTypeOf<OAuthFailure['error']>().toEqualTypeOf<OAuthErrorCode>();
    expectTypeOf<OAuthErrorAnswer['error']>().toEqualTypeOf<OAuthErrorCode>();
  });

  it('render every contract failure raised in an OAuth endpoint as a code of the union', () => {
    for (const code of Object.keys(ErrorStatus) as ErrorCode[]) {
      const { body } = renderOAuth({ code, message: 'm' });
      expect(Value.Check(OAuthErrorCode, body.error), `${code} → ${body.error}`).toBe(true);
    }
    expect(Value.Check(OAuthErrorCode, renderOAuth(failureOf(new Error('bug'))).body.error)).toBe(true);
  });

  describe('over HTTP', () => {
    let t: TestApp;
    let client: TestClient;
    beforeAll(async () => {
      t = await createTestApp();
      client = await createClient(t);
    });
    afterAll(async () => t.close());

    it('are all the server answers to failing OAuth calls', async () => {
      const grant = { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret };
      const answers = [
        await postForm(t, '/v1/oauth/token', { ...grant, grant_type: 'password' }),
        await postForm(t, '/v1/oauth/token', { ...grant, client_secret: 'wrong' }),
        await postForm(t, '/v1/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(client.id, 'wrong') }),
        await postForm(t, '/v1/oauth/token', { ...grant, scope: 'not-held' }),
        await postForm(t, '/v1/oauth/token', { ...grant, resource: 'https://elsewhere.example' }),
        await postForm(t, '/v1/oauth/token', { ...grant, surprise: 'x' }),
        await postForm(t, '/v1/oauth/introspect', { token: 'x' }, { authorization: 'Bearer nope' }),
        await t.app.inject({ method: 'POST', url: '/v1/oauth/token', headers: { 'content-type': 'text/plain' }, payload: 'x' }),
      ];
      const codes = new Set<string>();
      for (const answer of answers) {
        expect(answer.statusCode).toBeGreaterThanOrEqual(400);
        const { error } = answer.json();
        expect(Value.Check(OAuthErrorCode, error), error).toBe(true);
        codes.add(error);
      }
      expect([...codes].sort()).toEqual(['invalid_client', 'invalid_request', 'invalid_scope', 'invalid_target', 'invalid_token', 'unsupported_grant_type']);
    });
  });
});
